package dev.tunelab.data;

import dev.tunelab.model.TextTokenizer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The cleaning steps behind {@link Dataset}'s fluent methods; each one records a {@link CleaningReport.Step}. */
final class Cleaning {
    private static final String SEP = "\u0001";

    private Cleaning() {}

    static Dataset transform(Dataset d, TextCleaner cleaner, String... columns) {
        List<String> cols = d.defaultColumns(columns);
        int changed = 0;
        Dataset out = d;
        for (String c : cols) {
            List<String> col = d.column(c);
            List<String> values = new ArrayList<>(col.size());
            for (int i = 0; i < col.size(); i++) {
                String before = col.get(i);
                String after = cleaner.apply(before);
                if (!after.equals(before)) {
                    changed++;
                }
                values.add(after);
            }
            out = out.withColumnValues(c, values, null);
        }
        return out.withStep(new CleaningReport.Step("clean " + describe(cleaner) + " " + cols, d.size(), d.size(),
                changed, List.of()));
    }

    private static String describe(TextCleaner c) {
        List<String> parts = new ArrayList<>();
        if (c.nfc()) {
            parts.add("nfc");
        }
        if (c.stripHtml()) {
            parts.add("html");
        }
        if (c.controlChars()) {
            parts.add("control");
        }
        if (c.whitespace()) {
            parts.add("whitespace");
        }
        if (c.maskEmails()) {
            parts.add("email");
        }
        if (c.maskPhones()) {
            parts.add("phone");
        }
        return String.join("+", parts);
    }

    static Dataset dropEmpty(Dataset d, String... columns) {
        List<String> cols = d.defaultColumns(columns);
        List<Integer> kept = new ArrayList<>();
        List<CleaningReport.RemovedRow> removed = new ArrayList<>();
        for (int i = 0; i < d.size(); i++) {
            String empty = null;
            for (String c : cols) {
                if (d.cell(c, i).isBlank()) {
                    empty = c;
                    break;
                }
            }
            if (empty == null) {
                kept.add(i);
            } else {
                removed.add(new CleaningReport.RemovedRow(id(d, i), "empty '" + empty + "'", d.describe(i)));
            }
        }
        return d.withRows(kept, "drop empty " + cols, 0, removed);
    }

    static Dataset filterLength(Dataset d, String column, int min, int max, TextTokenizer tokenizer) {
        d.requireColumn(column);
        String unit = tokenizer == null ? "characters" : "tokens";
        List<Integer> kept = new ArrayList<>();
        List<CleaningReport.RemovedRow> removed = new ArrayList<>();
        List<String> col = d.column(column);
        for (int i = 0; i < d.size(); i++) {
            String v = col.get(i);
            int len = tokenizer == null ? v.codePointCount(0, v.length()) : tokenizer.encode(v, false).length;
            if (len < min) {
                removed.add(new CleaningReport.RemovedRow(id(d, i), "'" + column + "' has " + len + " " + unit
                        + " < " + min, d.describe(i)));
            } else if (len > max) {
                removed.add(new CleaningReport.RemovedRow(id(d, i), "'" + column + "' has " + len + " " + unit
                        + " > " + max, d.describe(i)));
            } else {
                kept.add(i);
            }
        }
        return d.withRows(kept, "length " + column + " in [" + min + ", " + max + "] " + unit, 0, removed);
    }

    static Dataset dropDuplicates(Dataset d, String... columns) {
        List<String> cols = d.defaultColumns(columns);
        Map<String, Integer> first = new HashMap<>();
        List<Integer> kept = new ArrayList<>();
        List<CleaningReport.RemovedRow> removed = new ArrayList<>();
        for (int i = 0; i < d.size(); i++) {
            String key = key(d, i, cols);
            Integer earlier = first.putIfAbsent(key, i);
            if (earlier == null) {
                kept.add(i);
            } else {
                removed.add(new CleaningReport.RemovedRow(id(d, i), "duplicate of " + id(d, earlier), d.describe(i)));
            }
        }
        return d.withRows(kept, "drop duplicates " + cols, 0, removed);
    }

    static Dataset dropNearDuplicates(Dataset d, double threshold, String... columns) {
        List<String> cols = d.defaultColumns(columns);
        List<String> texts = new ArrayList<>(d.size());
        for (int i = 0; i < d.size(); i++) {
            texts.add(key(d, i, cols).replace(SEP, " "));
        }
        Set<Integer> drop = new HashSet<>();
        List<CleaningReport.RemovedRow> removed = new ArrayList<>();
        for (NearDuplicates.Match m : NearDuplicates.find(texts, threshold)) {
            drop.add(m.index());
            removed.add(new CleaningReport.RemovedRow(id(d, m.index()), String.format(java.util.Locale.ROOT,
                    "near duplicate of %s (jaccard %.3f)", id(d, m.kept()), m.jaccard()), d.describe(m.index())));
        }
        List<Integer> kept = new ArrayList<>();
        for (int i = 0; i < d.size(); i++) {
            if (!drop.contains(i)) {
                kept.add(i);
            }
        }
        return d.withRows(kept, "drop near duplicates >= " + threshold + " " + cols, 0, removed);
    }

    static Dataset exclude(Dataset d, Dataset other, String... keyColumns) {
        if (keyColumns.length == 0) {
            throw new IllegalArgumentException("exclude needs at least one key column");
        }
        List<String> cols = List.of(keyColumns);
        for (String c : cols) {
            d.requireColumn(c);
            other.requireColumn(c);
        }
        Set<String> keys = new HashSet<>();
        for (int i = 0; i < other.size(); i++) {
            keys.add(key(other, i, cols));
        }
        List<Integer> kept = new ArrayList<>();
        List<CleaningReport.RemovedRow> removed = new ArrayList<>();
        for (int i = 0; i < d.size(); i++) {
            if (keys.contains(key(d, i, cols))) {
                removed.add(new CleaningReport.RemovedRow(id(d, i), "key " + cols + " excluded", d.describe(i)));
            } else {
                kept.add(i);
            }
        }
        return d.withRows(kept, "exclude by " + cols, 0, removed);
    }

    private static String key(Dataset d, int row, List<String> cols) {
        StringBuilder sb = new StringBuilder();
        for (String c : cols) {
            sb.append(d.cell(c, row)).append(SEP);
        }
        return sb.toString();
    }

    private static String id(Dataset d, int row) {
        return d.cell(Dataset.ID, row);
    }
}
