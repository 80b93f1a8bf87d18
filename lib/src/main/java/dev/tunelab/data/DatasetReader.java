package dev.tunelab.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads one file into a {@link Dataset}. DJL-style: {@code opt*} setters are optional, {@link #read()} does the work.
 * <pre>{@code
 * Dataset d = Dataset.reader(path).optFormat(FileFormat.TSV).optHeader(false).optColumns("text", "label")
 *         .optSkipBadRows(true).read();
 * }</pre>
 * A malformed row (wrong column count, invalid JSON, invalid UTF-8, missing required field) is a
 * {@link DataFormatException} naming file and line; with {@code optSkipBadRows(true)} it is skipped and listed in
 * {@link Dataset#loadReport()}.
 */
public final class DatasetReader {
    private final Path path;
    private FileFormat format;
    private boolean header = true;
    private List<String> columns;
    private List<String> required = List.of();
    private boolean skipBadRows;
    private String idPrefix;

    DatasetReader(Path path) {
        this.path = path;
    }

    public DatasetReader optFormat(FileFormat format) {
        this.format = format;
        return this;
    }

    /** CSV/TSV only: whether the first line holds column names (default true). */
    public DatasetReader optHeader(boolean header) {
        this.header = header;
        return this;
    }

    /** CSV/TSV: explicit column names (replacing a header line when there is one). */
    public DatasetReader optColumns(String... names) {
        this.columns = List.of(names);
        return this;
    }

    /** Fields every row must have; a row without one is a bad row naming the field. */
    public DatasetReader optRequiredFields(String... fields) {
        this.required = List.of(fields);
        return this;
    }

    public DatasetReader optSkipBadRows(boolean skip) {
        this.skipBadRows = skip;
        return this;
    }

    /** Row ids become {@code <prefix>:<line>}; default: the file name. */
    public DatasetReader optIdPrefix(String prefix) {
        this.idPrefix = prefix;
        return this;
    }

    public Dataset read() {
        if (!Files.isRegularFile(path)) {
            throw new DataFormatException("no such file: " + path);
        }
        FileFormat f = format == null ? FileFormat.fromFileName(path.getFileName().toString()) : format;
        List<String> req = new ArrayList<>(required);
        if (f == FileFormat.ALPACA) {
            for (String r : List.of("instruction", "output")) {
                if (!req.contains(r)) {
                    req.add(r);
                }
            }
        }
        RawRows raw = new RawRows(path.toString(), req);
        switch (f) {
            case CSV, TSV -> DelimitedParser.parse(path, f == FileFormat.CSV, header, columns, skipBadRows, raw);
            case JSONL -> JsonParser.parseLines(path, skipBadRows, raw);
            case JSON -> JsonParser.parseArray(path, skipBadRows, raw);
            case ALPACA -> {
                if (path.getFileName().toString().endsWith(".jsonl")) {
                    JsonParser.parseLines(path, skipBadRows, raw);
                } else {
                    JsonParser.parseArray(path, skipBadRows, raw);
                }
                raw.columns.add("input");
            }
        }
        for (String r : req) {
            if ((f == FileFormat.CSV || f == FileFormat.TSV) && !raw.columns.contains(r)) {
                throw new DataFormatException(path + ": required column '" + r + "' not among " + raw.columns);
            }
        }
        String prefix = idPrefix == null ? path.getFileName().toString() : idPrefix;
        LoadReport report = new LoadReport(List.of(path.toString()), raw.rows.size(), raw.skipped);
        Dataset d = new Dataset(path.getFileName().toString(), toColumns(raw, prefix), Map.of(), report,
                CleaningReport.empty());
        if (f == FileFormat.ALPACA) {
            d = d.instruction("instruction").input("input").output("output");
        }
        return d;
    }

    private static Map<String, List<String>> toColumns(RawRows raw, String prefix) {
        Map<String, List<String>> t = new LinkedHashMap<>();
        List<String> ids = new ArrayList<>(raw.rows.size());
        for (Long line : raw.lines) {
            ids.add(prefix + ":" + line);
        }
        boolean hasId = raw.columns.contains(Dataset.ID);
        if (!hasId) {
            t.put(Dataset.ID, ids);
        }
        for (String c : raw.columns) {
            List<String> values = new ArrayList<>(raw.rows.size());
            for (Map<String, String> row : raw.rows) {
                values.add(row.getOrDefault(c, ""));
            }
            t.put(c, values);
        }
        return t;
    }
}
