package dev.tunelab.data;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Roles → {@link Example}. Classification: input = text, target = label. Question answering: input = question,
 * target = answer. Instructions: input = instruction (+ blank line + input when present), target = output. Text
 * alone (a corpus): input = text, target = "". Every column is kept in {@code fields} under its own name and under
 * the role's name ("question", "context", ...).
 */
final class ExampleMapper {
    private ExampleMapper() {}

    static List<Example> toExamples(Dataset d) {
        Map<Role, String> roles = d.roles();
        if (roles.isEmpty()) {
            throw new IllegalStateException("set column roles first, e.g. .text(\"sentence\").label(\"label\"); "
                    + "columns are " + d.columns());
        }
        List<Example> out = new ArrayList<>(d.size());
        for (int i = 0; i < d.size(); i++) {
            Map<String, String> row = d.row(i);
            Map<String, String> fields = new LinkedHashMap<>(row);
            fields.remove(Dataset.ID);
            roles.forEach((role, col) -> fields.put(role.key(), row.get(col)));
            out.add(new Example(row.get(Dataset.ID), input(roles, row), target(roles, row), fields));
        }
        return out;
    }

    private static String input(Map<Role, String> roles, Map<String, String> row) {
        if (roles.containsKey(Role.INSTRUCTION)) {
            String instruction = row.get(roles.get(Role.INSTRUCTION));
            String in = roles.containsKey(Role.INPUT) ? row.get(roles.get(Role.INPUT)) : "";
            return in == null || in.isBlank() ? instruction : instruction + "\n\n" + in;
        }
        for (Role r : List.of(Role.QUESTION, Role.TEXT, Role.INPUT)) {
            if (roles.containsKey(r)) {
                return row.get(roles.get(r));
            }
        }
        throw new IllegalStateException("no input role: set text, question or instruction; roles are " + roles);
    }

    private static String target(Map<Role, String> roles, Map<String, String> row) {
        for (Role r : List.of(Role.LABEL, Role.ANSWER, Role.OUTPUT)) {
            if (roles.containsKey(r)) {
                return row.get(roles.get(r));
            }
        }
        return "";
    }
}
