package dev.tunelab.notebook;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Jupyter MIME bundle: MIME type → data, in preference order (richest first). Binary types such as image/png hold
 * base64 text, as in the Jupyter message protocol; text/plain is always present.
 */
public record MimeBundle(Map<String, String> data) {
    public static final String PNG = "image/png";
    public static final String HTML = "text/html";
    public static final String MARKDOWN = "text/markdown";
    public static final String TEXT = "text/plain";

    /** Richest first: what a kernel that shows only one type per output should pick. */
    public static final List<String> PREFERENCE = List.of(PNG, HTML, MARKDOWN, TEXT);

    public MimeBundle {
        if (data == null || !data.containsKey(TEXT)) {
            throw new IllegalArgumentException("a MIME bundle needs a text/plain entry");
        }
        data = Collections.unmodifiableMap(new LinkedHashMap<>(data));
    }

    public static MimeBundle text(String text) {
        return of(Map.of(TEXT, text));
    }

    /** Orders the entries by {@link #PREFERENCE}. */
    public static MimeBundle of(Map<String, String> entries) {
        Map<String, String> ordered = new LinkedHashMap<>();
        for (String mime : PREFERENCE) {
            if (entries.containsKey(mime)) {
                ordered.put(mime, entries.get(mime));
            }
        }
        entries.forEach(ordered::putIfAbsent);
        return new MimeBundle(ordered);
    }

    /** The richest MIME type present. */
    public String richest() {
        return data.keySet().iterator().next();
    }

    public String get(String mime) {
        return data.get(mime);
    }

    public boolean has(String mime) {
        return data.containsKey(mime);
    }

    public String plainText() {
        return data.get(TEXT);
    }
}
