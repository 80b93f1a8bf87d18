package dev.tunelab.rag;

import dev.tunelab.model.TextTokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Cuts documents into overlapping passages, by tokens or by sentences. Each chunk keeps its parent's source, title,
 * url and fields, gets {@code position} = its index and id {@code <parent>#<position>}. A document that fits in one
 * chunk is returned as chunk 0 with the whole text.
 */
public final class Chunker {
    /** A sentence ends at . ! ? (optionally followed by quotes/brackets) before whitespace, or at a line break. */
    private static final Pattern SENTENCE_END = Pattern.compile("(?<=[.!?][\"')\\]]?)\\s+|\\n+");

    private final TextTokenizer tokenizer;
    private final int size;
    private final int overlap;

    private Chunker(TextTokenizer tokenizer, int size, int overlap) {
        if (size < 1) {
            throw new IllegalArgumentException("chunk size must be >= 1, got " + size);
        }
        if (overlap < 0 || overlap >= size) {
            throw new IllegalArgumentException("overlap must be in [0, size), got " + overlap + " for size " + size);
        }
        this.tokenizer = tokenizer;
        this.size = size;
        this.overlap = overlap;
    }

    /** Windows of {@code size} tokens, consecutive windows sharing {@code overlap} tokens. */
    public static Chunker byTokens(TextTokenizer tokenizer, int size, int overlap) {
        if (tokenizer == null) {
            throw new IllegalArgumentException("byTokens needs a tokenizer");
        }
        return new Chunker(tokenizer, size, overlap);
    }

    /** Groups of {@code sentences} sentences, consecutive groups sharing {@code overlap} sentences. */
    public static Chunker bySentences(int sentences, int overlap) {
        return new Chunker(null, sentences, overlap);
    }

    public List<Document> chunk(List<Document> docs) {
        List<Document> out = new ArrayList<>();
        for (Document d : docs) {
            out.addAll(chunk(d));
        }
        return out;
    }

    public List<Document> chunk(Document doc) {
        List<String> pieces = tokenizer == null ? sentenceChunks(doc.text()) : tokenChunks(doc.text());
        List<Document> out = new ArrayList<>(pieces.size());
        for (int i = 0; i < pieces.size(); i++) {
            out.add(new Document(doc.id() + "#" + i, pieces.get(i), doc.metadata().forChunk(doc.id(), i)));
        }
        return out;
    }

    private List<String> tokenChunks(String text) {
        int[] ids = tokenizer.encode(text, false);
        if (ids.length <= size) {
            return List.of(text);
        }
        List<String> out = new ArrayList<>();
        int stride = size - overlap;
        for (int start = 0; ; start += stride) {
            int end = Math.min(ids.length, start + size);
            out.add(tokenizer.decode(java.util.Arrays.copyOfRange(ids, start, end)).strip());
            if (end == ids.length) {
                break;
            }
        }
        return out;
    }

    private List<String> sentenceChunks(String text) {
        List<String> sentences = sentences(text);
        if (sentences.size() <= size) {
            return List.of(text);
        }
        List<String> out = new ArrayList<>();
        int stride = size - overlap;
        for (int start = 0; ; start += stride) {
            int end = Math.min(sentences.size(), start + size);
            out.add(String.join(" ", sentences.subList(start, end)));
            if (end == sentences.size()) {
                break;
            }
        }
        return out;
    }

    /** Splits text into sentences (non-blank, stripped). */
    public static List<String> sentences(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = SENTENCE_END.matcher(text);
        int start = 0;
        while (m.find()) {
            add(out, text.substring(start, m.start()));
            start = m.end();
        }
        add(out, text.substring(start));
        return out;
    }

    private static void add(List<String> out, String s) {
        String t = s.strip();
        if (!t.isEmpty()) {
            out.add(t);
        }
    }
}
