package dev.tunelab.data;

/** Input formats {@link DatasetReader} understands. */
public enum FileFormat {
    /** Comma-separated, RFC 4180 quoting (fields may hold quoted commas, quotes and newlines). */
    CSV,
    /** Tab-separated, no quoting: a quote character is text. */
    TSV,
    /** One JSON object per line. */
    JSONL,
    /** One JSON array of objects. */
    JSON,
    /** Alpaca instruction data: a JSON array (or JSONL) of {instruction, input, output}. */
    ALPACA;

    /** Guesses from the file name: .csv, .tsv/.txt, .jsonl, .json. */
    public static FileFormat fromFileName(String name) {
        String n = name.toLowerCase(java.util.Locale.ROOT);
        if (n.endsWith(".csv")) {
            return CSV;
        }
        if (n.endsWith(".tsv") || n.endsWith(".txt")) {
            return TSV;
        }
        if (n.endsWith(".jsonl") || n.endsWith(".ndjson")) {
            return JSONL;
        }
        if (n.endsWith(".json")) {
            return JSON;
        }
        throw new IllegalArgumentException("cannot guess the format of " + name + ": call optFormat(...)");
    }
}
