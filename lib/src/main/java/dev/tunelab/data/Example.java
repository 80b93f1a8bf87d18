package dev.tunelab.data;

import java.util.Map;

/**
 * One row of a task: the input the strategy sees and the target it should produce (the label for classification,
 * the reference answer for generation). {@code fields} keeps every other column (context, source, url, topic...).
 */
public record Example(String id, String input, String target, Map<String, String> fields) {
    public Example {
        fields = fields == null ? Map.of() : Map.copyOf(fields);
    }

    public String field(String name) {
        return fields.get(name);
    }
}
