package dev.tunelab.data;

import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds datasets from Tablesaw tables and from several datasets. */
final class DatasetAssembly {
    private DatasetAssembly() {}

    static Dataset fromTable(Table table) {
        Map<String, List<String>> cols = new LinkedHashMap<>();
        if (!table.columnNames().contains(Dataset.ID)) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < table.rowCount(); i++) {
                ids.add("row-" + i);
            }
            cols.put(Dataset.ID, ids);
        }
        for (String c : table.columnNames()) {
            StringColumn sc = table.column(c).asStringColumn();
            List<String> v = new ArrayList<>(sc.size());
            for (int i = 0; i < sc.size(); i++) {
                String x = sc.get(i);
                v.add(x == null ? "" : x);
            }
            cols.put(c, v);
        }
        return new Dataset(table.name() == null ? "table" : table.name(), cols, Map.of(), LoadReport.empty(),
                CleaningReport.empty());
    }

    static Dataset concat(List<Dataset> parts) {
        List<String> cols = new ArrayList<>();
        for (Dataset d : parts) {
            for (String c : d.columns()) {
                if (!cols.contains(c)) {
                    cols.add(c);
                }
            }
        }
        Map<String, List<String>> t = new LinkedHashMap<>();
        LoadReport load = LoadReport.empty();
        CleaningReport clean = CleaningReport.empty();
        for (String c : cols) {
            List<String> values = new ArrayList<>();
            for (Dataset d : parts) {
                List<String> v = d.columns().contains(c) ? d.column(c) : Collections.nCopies(d.size(), "");
                values.addAll(v);
            }
            t.put(c, values);
        }
        for (Dataset d : parts) {
            load = load.plus(d.loadReport());
            clean = clean.plus(d.cleaningReport());
        }
        return new Dataset(parts.get(0).name(), t, parts.get(0).roles(), load, clean);
    }
}
