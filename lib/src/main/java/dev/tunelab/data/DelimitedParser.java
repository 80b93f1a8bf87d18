package dev.tunelab.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** CSV (RFC 4180 quoting) and TSV (no quoting) into rows; a wrong column count is a bad row. */
final class DelimitedParser {
    private DelimitedParser() {}

    static void parse(Path file, boolean csv, boolean header, List<String> names, boolean skipBad, RawRows out) {
        String fileName = file.toString();
        List<StrictLines.Line> lines = StrictLines.read(file);
        List<String> columns = names == null ? null : List.copyOf(names);
        boolean headerPending = header;
        int i = 0;
        int[] next = {0};
        while (i < lines.size()) {
            StrictLines.Line first = lines.get(i);
            next[0] = i + 1;
            long lineNo = first.number();
            List<String> fields;
            try {
                if (first.text() == null) {
                    throw new DataFormatException(fileName, lineNo, null, first.error());
                }
                if (first.text().isEmpty()) {
                    continue;
                }
                if (csv) {
                    next[0] = i;
                    fields = parseCsvRecord(lines, next, fileName);
                } else {
                    fields = List.of(first.text().split("\t", -1));
                }
                if (headerPending) {
                    headerPending = false;
                    if (columns == null) {
                        columns = fields.stream().map(String::strip).toList();
                    }
                    continue; // explicit names, when given, replace the header line
                }
                if (columns == null) {
                    columns = defaultNames(fields.size());
                }
                if (fields.size() != columns.size()) {
                    throw new DataFormatException(fileName, lineNo, null, "expected " + columns.size()
                            + " columns " + columns + " but found " + fields.size());
                }
                Map<String, String> row = new LinkedHashMap<>();
                for (int c = 0; c < columns.size(); c++) {
                    row.put(columns.get(c), fields.get(c));
                }
                out.add(lineNo, row);
            } catch (DataFormatException e) {
                if (!skipBad) {
                    throw e;
                }
                out.skipped.add(e.toBadRow());
            } finally {
                i = Math.max(i + 1, next[0]);
            }
        }
        if (columns != null) {
            out.columns.addAll(columns);
        }
    }

    private static List<String> defaultNames(int n) {
        List<String> names = new ArrayList<>();
        for (int c = 0; c < n; c++) {
            names.add("c" + c);
        }
        return names;
    }

    /** Parses one record starting at lines[next[0]], following quoted newlines; advances next[0] past it. */
    private static List<String> parseCsvRecord(List<StrictLines.Line> lines, int[] next, String file) {
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        boolean wasQuoted = false;
        long startLine = lines.get(next[0]).number();
        while (true) {
            StrictLines.Line line = lines.get(next[0]);
            next[0]++;
            if (line.text() == null) {
                throw new DataFormatException(file, line.number(), null, line.error());
            }
            String s = line.text();
            for (int k = 0; k < s.length(); k++) {
                char ch = s.charAt(k);
                if (quoted) {
                    if (ch == '"') {
                        if (k + 1 < s.length() && s.charAt(k + 1) == '"') {
                            field.append('"');
                            k++;
                        } else {
                            quoted = false;
                        }
                    } else {
                        field.append(ch);
                    }
                } else if (ch == '"' && field.isEmpty() && !wasQuoted) {
                    quoted = true;
                    wasQuoted = true;
                } else if (ch == ',') {
                    fields.add(field.toString());
                    field.setLength(0);
                    wasQuoted = false;
                } else if (wasQuoted) {
                    throw new DataFormatException(file, line.number(), null,
                            "text after a closing quote in column " + (fields.size() + 1));
                } else {
                    field.append(ch);
                }
            }
            if (!quoted) {
                fields.add(field.toString());
                return fields;
            }
            if (next[0] >= lines.size()) {
                throw new DataFormatException(file, startLine, null, "unterminated quoted field");
            }
            field.append('\n');
        }
    }
}
