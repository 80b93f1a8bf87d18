package dev.tunelab.data;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Parsed rows before they become a table: the values by column and the line each row started on. */
final class RawRows {
    final String file;
    final List<String> required;
    final Set<String> columns = new LinkedHashSet<>();
    final List<Map<String, String>> rows = new ArrayList<>();
    final List<Long> lines = new ArrayList<>();
    final List<BadRow> skipped = new ArrayList<>();

    RawRows(String file, List<String> required) {
        this.file = file;
        this.required = List.copyOf(required);
    }

    /** Adds a row; a missing required field is a {@link DataFormatException} naming the field. */
    void add(long line, Map<String, String> row) {
        for (String f : required) {
            if (!row.containsKey(f)) {
                throw new DataFormatException(file, line, f, "missing required field '" + f + "'");
            }
        }
        columns.addAll(row.keySet());
        rows.add(row);
        lines.add(line);
    }
}
