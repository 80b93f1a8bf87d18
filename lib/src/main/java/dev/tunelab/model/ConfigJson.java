package dev.tunelab.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Typed, error-naming access to a Hugging Face JSON file (config.json, generation_config.json...). */
final class ConfigJson {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private final JsonNode node;
    private final String source;

    ConfigJson(JsonNode node, String source) {
        this.node = node;
        this.source = source;
    }

    static JsonNode read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": file not found");
        }
        try {
            JsonNode n = MAPPER.readTree(Files.readString(file, StandardCharsets.UTF_8));
            if (n == null || !n.isObject()) {
                throw new IOException(file + ": expected a JSON object");
            }
            return n;
        } catch (JsonProcessingException e) {
            throw new IOException(file + ": invalid JSON at line " + e.getLocation().getLineNr() + ": "
                    + e.getOriginalMessage(), e);
        }
    }

    /** Writes pretty JSON to a temp file and renames it into place. */
    static void write(Path file, JsonNode json) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path tmp = AtomicFiles.tempFor(file);
        Files.writeString(tmp, MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(json), StandardCharsets.UTF_8);
        AtomicFiles.move(tmp, file);
    }

    String string(String field, String fallback) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? fallback : v.asText();
    }

    int integer(String field) throws IOException {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            throw new IOException(source + ": missing field '" + field + "'");
        }
        if (!v.canConvertToInt() || !v.isIntegralNumber()) {
            throw new IOException(source + ": field '" + field + "' must be an integer, got " + v);
        }
        return v.asInt();
    }

    int integer(String field, int fallback) throws IOException {
        return node.hasNonNull(field) ? integer(field) : fallback;
    }

    double real(String field) throws IOException {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            throw new IOException(source + ": missing field '" + field + "'");
        }
        if (!v.isNumber()) {
            throw new IOException(source + ": field '" + field + "' must be a number, got " + v);
        }
        return v.asDouble();
    }

    double real(String field, double fallback) throws IOException {
        return node.hasNonNull(field) ? real(field) : fallback;
    }

    boolean bool(String field, boolean fallback) throws IOException {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isBoolean()) {
            throw new IOException(source + ": field '" + field + "' must be true or false, got " + v);
        }
        return v.asBoolean();
    }

    /** A token id field; a list (Llama 3's several eos ids) yields its first element; absent → -1. */
    int tokenId(String field) throws IOException {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return -1;
        }
        if (v.isArray()) {
            return v.isEmpty() ? -1 : v.get(0).asInt();
        }
        if (!v.isIntegralNumber()) {
            throw new IOException(source + ": field '" + field + "' must be a token id, got " + v);
        }
        return v.asInt();
    }

    static void putId(ObjectNode o, String field, int id) {
        if (id >= 0) {
            o.put(field, id);
        } else {
            o.putNull(field);
        }
    }
}
