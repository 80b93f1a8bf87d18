package dev.tunelab.rag;

import java.util.Map;

/**
 * A passage that can be retrieved: a whole document or one chunk of it.
 *
 * @param id       unique id; chunks are {@code <parentId>#<position>}
 * @param text     the text that is embedded and shown to the model
 * @param metadata where it came from
 */
public record Document(String id, String text, Metadata metadata) {
    public Document {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("a document needs a non-blank id");
        }
        text = text == null ? "" : text;
        metadata = metadata == null ? Metadata.of(id) : metadata;
    }

    public static Document of(String id, String text) {
        return new Document(id, text, Metadata.of(id));
    }

    /** The document this passage belongs to (itself for whole documents). */
    public String parentId() {
        return metadata.parentId() == null ? id : metadata.parentId();
    }

    /**
     * Where a passage came from.
     *
     * @param source   file path, dataset name or collection
     * @param title    human title (topic, file name)
     * @param url      link to the original, may be null
     * @param position chunk index inside the parent document (0 for whole documents)
     * @param parentId id of the whole document a chunk was cut from (null for whole documents)
     * @param fields   any further string fields (e.g. a dataset's "focus" or "qtype")
     */
    public record Metadata(String source, String title, String url, int position, String parentId,
                           Map<String, String> fields) {
        public Metadata {
            fields = fields == null ? Map.of() : Map.copyOf(fields);
        }

        public static Metadata of(String source) {
            return new Metadata(source, null, null, 0, null, Map.of());
        }

        public String field(String name) {
            return fields.get(name);
        }

        /** The same metadata for chunk {@code position} of document {@code parent}. */
        public Metadata forChunk(String parent, int position) {
            return new Metadata(source, title, url, position, parent, fields);
        }

        /** Flat string view (source/title/url/position/parent_id + fields), what the vector index stores. */
        public Map<String, String> asMap() {
            Map<String, String> m = new java.util.LinkedHashMap<>(fields);
            if (source != null) {
                m.put("source", source);
            }
            if (title != null) {
                m.put("title", title);
            }
            if (url != null) {
                m.put("url", url);
            }
            m.put("position", Integer.toString(position));
            if (parentId != null) {
                m.put("parent_id", parentId);
            }
            return m;
        }
    }
}
