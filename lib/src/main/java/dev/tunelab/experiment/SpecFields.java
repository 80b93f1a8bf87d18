package dev.tunelab.experiment;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/** Typed reads of spec fields that fail with the field's path. */
final class SpecFields {
    private final String source;

    SpecFields(String source) {
        this.source = source;
    }

    SpecException error(String field, String problem) {
        return new SpecException(source, field, problem);
    }

    private static String leaf(String path) {
        int dot = path.lastIndexOf('.');
        return dot < 0 ? path : path.substring(dot + 1);
    }

    void allowOnly(JsonNode n, String path, Set<String> allowed) {
        List<String> unknown = new ArrayList<>();
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!allowed.contains(k)) {
                unknown.add(k);
            }
        }
        if (!unknown.isEmpty()) {
            String where = path.isEmpty() ? unknown.get(0) : path + "." + unknown.get(0);
            throw error(where, "unknown field (allowed: " + String.join(", ", allowed.stream().sorted().toList()) + ")");
        }
    }

    JsonNode object(JsonNode parent, String path, boolean required) {
        JsonNode n = parent.get(leaf(path));
        if (n == null || n.isNull()) {
            if (required) {
                throw error(path, "is required");
            }
            return null;
        }
        if (!n.isObject()) {
            throw error(path, "must be a mapping");
        }
        return n;
    }

    String string(JsonNode parent, String path, String fallback, boolean required) {
        JsonNode n = parent.get(leaf(path));
        if (n == null || n.isNull()) {
            if (required) {
                throw error(path, "is required");
            }
            return fallback;
        }
        if (!n.isTextual() || n.asText().isBlank()) {
            throw error(path, "must be a non-empty string, got " + n);
        }
        return n.asText().trim();
    }

    int integer(JsonNode parent, String path, int fallback, int min, int max) {
        JsonNode n = parent.get(leaf(path));
        if (n == null || n.isNull()) {
            return fallback;
        }
        if (!n.isIntegralNumber() || !n.canConvertToInt()) {
            throw error(path, "must be an integer, got " + n);
        }
        int v = n.asInt();
        if (v < min || v > max) {
            throw error(path, "must be between " + min + " and " + max + ", got " + v);
        }
        return v;
    }

    double decimal(JsonNode parent, String path, double fallback, double min, double max) {
        JsonNode n = parent.get(leaf(path));
        if (n == null || n.isNull()) {
            return fallback;
        }
        double v;
        if (n.isNumber()) {
            v = n.asDouble();
        } else if (n.isTextual()) {
            try {
                v = Double.parseDouble(n.asText().trim()); // YAML reads 1e-3 as a string
            } catch (NumberFormatException e) {
                throw error(path, "must be a number, got " + n);
            }
        } else {
            throw error(path, "must be a number, got " + n);
        }
        if (!(v >= min && v <= max)) {
            throw error(path, "must be between " + min + " and " + max + ", got " + v);
        }
        return v;
    }

    boolean bool(JsonNode parent, String path) {
        JsonNode n = parent.get(leaf(path));
        if (!n.isBoolean()) {
            throw error(path, "must be true or false, got " + n);
        }
        return n.asBoolean();
    }
}
