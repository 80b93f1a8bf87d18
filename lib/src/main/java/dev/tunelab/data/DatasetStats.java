package dev.tunelab.data;

import dev.tunelab.model.TextTokenizer;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Numbers about a dataset for tables and charts: per text column the character (and, with a tokenizer, token)
 * lengths and their summary; label counts. Charts are drawn elsewhere from {@link #charLengths} etc.
 */
public final class DatasetStats {
    private final int rows;
    private final Map<String, List<Integer>> charLengths = new LinkedHashMap<>();
    private final Map<String, List<Integer>> tokenLengths = new LinkedHashMap<>();
    private final Map<String, Integer> labelCounts = new TreeMap<>();

    private DatasetStats(int rows) {
        this.rows = rows;
    }

    static DatasetStats of(Dataset d, TextTokenizer tokenizer) {
        DatasetStats s = new DatasetStats(d.size());
        String labelCol = d.roles().get(Role.LABEL);
        for (String c : d.defaultColumns()) {
            if (c.equals(labelCol)) {
                continue;
            }
            List<Integer> chars = new ArrayList<>(d.size());
            List<Integer> tokens = new ArrayList<>(d.size());
            for (String v : d.column(c)) {
                chars.add(v.codePointCount(0, v.length()));
                if (tokenizer != null) {
                    tokens.add(tokenizer.encode(v, false).length);
                }
            }
            s.charLengths.put(c, List.copyOf(chars));
            if (tokenizer != null) {
                s.tokenLengths.put(c, List.copyOf(tokens));
            }
        }
        if (labelCol != null) {
            for (String v : d.column(labelCol)) {
                s.labelCounts.merge(v, 1, Integer::sum);
            }
        }
        return s;
    }

    public int rows() {
        return rows;
    }

    public List<Integer> charLengths(String column) {
        return charLengths.getOrDefault(column, List.of());
    }

    /** Empty when no tokenizer was given. */
    public List<Integer> tokenLengths(String column) {
        return tokenLengths.getOrDefault(column, List.of());
    }

    /** Label → count, sorted by label. */
    public Map<String, Integer> labelCounts() {
        return Map.copyOf(labelCounts);
    }

    /** One row per (column, unit): count, mean, min, p50, p95, max. */
    public Table lengthTable() {
        StringColumn column = StringColumn.create("column");
        StringColumn unit = StringColumn.create("unit");
        IntColumn count = IntColumn.create("count");
        DoubleColumn mean = DoubleColumn.create("mean");
        IntColumn min = IntColumn.create("min");
        DoubleColumn p50 = DoubleColumn.create("p50");
        DoubleColumn p95 = DoubleColumn.create("p95");
        IntColumn max = IntColumn.create("max");
        for (Map<String, List<Integer>> m : List.of(charLengths, tokenLengths)) {
            for (Map.Entry<String, List<Integer>> e : m.entrySet()) {
                int[] v = e.getValue().stream().mapToInt(Integer::intValue).sorted().toArray();
                column.append(e.getKey());
                unit.append(m == charLengths ? "chars" : "tokens");
                count.append(v.length);
                mean.append(v.length == 0 ? 0 : Arrays.stream(v).average().orElse(0));
                min.append(v.length == 0 ? 0 : v[0]);
                p50.append(percentile(v, 50));
                p95.append(percentile(v, 95));
                max.append(v.length == 0 ? 0 : v[v.length - 1]);
            }
        }
        return Table.create("lengths", column, unit, count, mean, min, p50, p95, max);
    }

    /** One row per label: label, count, share. */
    public Table labelTable() {
        StringColumn label = StringColumn.create("label");
        IntColumn count = IntColumn.create("count");
        DoubleColumn share = DoubleColumn.create("share");
        labelCounts.forEach((k, v) -> {
            label.append(k);
            count.append(v);
            share.append(rows == 0 ? 0 : v / (double) rows);
        });
        return Table.create("labels", label, count, share);
    }

    /** Linear interpolation between closest ranks (numpy's default), on sorted values; 0 for no values. */
    static double percentile(int[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        double pos = p / 100.0 * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }

    @Override
    public String toString() {
        return rows + " rows\n" + lengthTable().print() + (labelCounts.isEmpty() ? "" : "\n" + labelTable().print());
    }
}
