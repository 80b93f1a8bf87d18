package dev.tunelab.data;

import dev.tunelab.model.TextTokenizer;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A table of text rows (a Tablesaw {@link Table} of string columns, one of them {@link #ID}) with column roles and
 * the reports of how it was loaded and cleaned. Every operation returns a new Dataset; the original is unchanged.
 * <pre>{@code
 * Dataset d = Datasets.get("sentiment-uci").clean().dropDuplicates().dropNearDuplicates(0.9);
 * Split s = d.splitStratified(0.8, 0.1, 0.1, 42);
 * }</pre>
 */
public final class Dataset {
    /** The row id column every dataset has (file:line when loaded from a file). */
    public static final String ID = "id";

    private final Table table;
    private final Map<Role, String> roles;
    private final LoadReport loadReport;
    private final CleaningReport cleaningReport;

    Dataset(Table table, Map<Role, String> roles, LoadReport loadReport, CleaningReport cleaningReport) {
        this.table = table;
        this.roles = roles.isEmpty() ? Map.of() : Collections.unmodifiableMap(new EnumMap<>(roles));
        this.loadReport = loadReport;
        this.cleaningReport = cleaningReport;
    }

    // ---- loading -------------------------------------------------------------------------------------------------

    public static DatasetReader reader(Path file) {
        return new DatasetReader(file);
    }

    public static Dataset fromCsv(Path file) {
        return reader(file).optFormat(FileFormat.CSV).read();
    }

    /** TSV without a header line, with these column names (with no names: c0, c1, ...). */
    public static Dataset fromTsv(Path file, String... columns) {
        DatasetReader r = reader(file).optFormat(FileFormat.TSV).optHeader(false);
        return columns.length == 0 ? r.read() : r.optColumns(columns).read();
    }

    public static Dataset fromJsonl(Path file) {
        return reader(file).optFormat(FileFormat.JSONL).read();
    }

    public static Dataset fromJson(Path file) {
        return reader(file).optFormat(FileFormat.JSON).read();
    }

    /** Alpaca instruction data; roles instruction/input/output are set. */
    public static Dataset fromAlpaca(Path file) {
        return reader(file).optFormat(FileFormat.ALPACA).read();
    }

    /** Wraps a table of string columns; an {@link #ID} column is added (row-0, row-1, ...) when missing. */
    public static Dataset of(Table table) {
        Table t = table.copy();
        if (!t.columnNames().contains(ID)) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < t.rowCount(); i++) {
                ids.add("row-" + i);
            }
            t.insertColumn(0, StringColumn.create(ID, ids));
        }
        for (String c : t.columnNames()) {
            if (!(t.column(c) instanceof StringColumn)) {
                t.replaceColumn(c, t.column(c).asStringColumn().setName(c));
            }
        }
        return new Dataset(t, Map.of(), LoadReport.empty(), CleaningReport.empty());
    }

    /** Rows of all datasets, columns united (missing cells are empty); roles and reports of the first are kept. */
    public static Dataset concat(List<Dataset> parts) {
        List<String> cols = new ArrayList<>();
        for (Dataset d : parts) {
            for (String c : d.columns()) {
                if (!cols.contains(c)) {
                    cols.add(c);
                }
            }
        }
        Table t = Table.create(parts.get(0).table.name());
        LoadReport load = LoadReport.empty();
        CleaningReport clean = CleaningReport.empty();
        for (String c : cols) {
            List<String> values = new ArrayList<>();
            for (Dataset d : parts) {
                List<String> v = d.columns().contains(c) ? d.column(c) : Collections.nCopies(d.size(), "");
                values.addAll(v);
            }
            t.addColumns(StringColumn.create(c, values));
        }
        for (Dataset d : parts) {
            load = load.plus(d.loadReport);
            clean = clean.plus(d.cleaningReport);
        }
        return new Dataset(t, parts.get(0).roles, load, clean);
    }

    // ---- access --------------------------------------------------------------------------------------------------

    /** A copy of the underlying table (changing it does not change this dataset). */
    public Table table() {
        return table.copy();
    }

    public int size() {
        return table.rowCount();
    }

    public List<String> columns() {
        return table.columnNames();
    }

    public List<String> column(String name) {
        requireColumn(name);
        return table.stringColumn(name).asList();
    }

    public List<String> ids() {
        return column(ID);
    }

    public Map<String, String> row(int index) {
        Map<String, String> row = new LinkedHashMap<>();
        for (String c : table.columnNames()) {
            row.put(c, table.stringColumn(c).get(index));
        }
        return row;
    }

    public Map<Role, String> roles() {
        return roles;
    }

    public LoadReport loadReport() {
        return loadReport;
    }

    public CleaningReport cleaningReport() {
        return cleaningReport;
    }

    /** CLASSIFICATION when a label column is set, else GENERATION. */
    public TaskType task() {
        return roles.containsKey(Role.LABEL) ? TaskType.CLASSIFICATION : TaskType.GENERATION;
    }

    // ---- roles ---------------------------------------------------------------------------------------------------

    public Dataset withRole(Role role, String column) {
        requireColumn(column);
        Map<Role, String> r = new EnumMap<>(Role.class);
        r.putAll(roles);
        r.put(role, column);
        return new Dataset(table, r, loadReport, cleaningReport);
    }

    public Dataset text(String column) {
        return withRole(Role.TEXT, column);
    }

    public Dataset label(String column) {
        return withRole(Role.LABEL, column);
    }

    public Dataset question(String column) {
        return withRole(Role.QUESTION, column);
    }

    public Dataset answer(String column) {
        return withRole(Role.ANSWER, column);
    }

    public Dataset context(String column) {
        return withRole(Role.CONTEXT, column);
    }

    public Dataset instruction(String column) {
        return withRole(Role.INSTRUCTION, column);
    }

    public Dataset input(String column) {
        return withRole(Role.INPUT, column);
    }

    public Dataset output(String column) {
        return withRole(Role.OUTPUT, column);
    }

    /** The examples the roles describe; see {@link ExampleMapper} for which role becomes input and target. */
    public List<Example> toExamples() {
        return ExampleMapper.toExamples(this);
    }

    /** Sorted distinct values of the label column (empty without one). */
    public List<String> labels() {
        if (!roles.containsKey(Role.LABEL)) {
            return List.of();
        }
        return column(roles.get(Role.LABEL)).stream().distinct().sorted().toList();
    }

    // ---- table operations ----------------------------------------------------------------------------------------

    public Dataset head(int n) {
        return keep(range(Math.min(n, size())));
    }

    /** Keeps these columns (and the id); roles pointing elsewhere are dropped. */
    public Dataset select(String... columns) {
        List<String> keep = new ArrayList<>(List.of(ID));
        for (String c : columns) {
            requireColumn(c);
            if (!keep.contains(c)) {
                keep.add(c);
            }
        }
        Table t = table.selectColumns(keep.toArray(String[]::new));
        Map<Role, String> r = new EnumMap<>(Role.class);
        roles.forEach((role, col) -> {
            if (keep.contains(col)) {
                r.put(role, col);
            }
        });
        return new Dataset(t, r, loadReport, cleaningReport);
    }

    public Dataset rename(String from, String to) {
        requireColumn(from);
        if (columns().contains(to)) {
            throw new IllegalArgumentException("column '" + to + "' already exists");
        }
        Table t = table.copy();
        t.column(from).setName(to);
        Map<Role, String> r = new EnumMap<>(Role.class);
        roles.forEach((role, col) -> r.put(role, col.equals(from) ? to : col));
        return new Dataset(t, r, loadReport, cleaningReport);
    }

    /** Adds (or replaces) a column computed from each row. */
    public Dataset withColumn(String name, Function<Map<String, String>, String> value) {
        List<String> values = new ArrayList<>(size());
        for (int i = 0; i < size(); i++) {
            values.add(value.apply(row(i)));
        }
        Table t = table.copy();
        if (t.columnNames().contains(name)) {
            t.replaceColumn(name, StringColumn.create(name, values));
        } else {
            t.addColumns(StringColumn.create(name, values));
        }
        return new Dataset(t, roles, loadReport, cleaningReport);
    }

    /** Keeps the rows the predicate accepts; the others are listed in the cleaning report under {@code reason}. */
    public Dataset filter(String reason, Predicate<Map<String, String>> keep) {
        List<Integer> kept = new ArrayList<>();
        List<CleaningReport.RemovedRow> removed = new ArrayList<>();
        for (int i = 0; i < size(); i++) {
            Map<String, String> row = row(i);
            if (keep.test(row)) {
                kept.add(i);
            } else {
                removed.add(new CleaningReport.RemovedRow(row.get(ID), reason, describe(i)));
            }
        }
        return withRows(kept, "filter: " + reason, 0, removed);
    }

    public Dataset shuffle(long seed) {
        List<Integer> idx = new ArrayList<>(range(size()));
        Collections.shuffle(idx, new Random(seed));
        return keep(idx);
    }

    /** n rows drawn without replacement (all rows when n ≥ size), in random order. */
    public Dataset sample(int n, long seed) {
        return shuffle(seed).head(n);
    }

    // ---- cleaning (see Cleaning) ---------------------------------------------------------------------------------

    /** NFC, control characters, whitespace on the role columns (all text columns when no role is set). */
    public Dataset clean() {
        return clean(TextCleaner.standard());
    }

    public Dataset clean(TextCleaner cleaner, String... columns) {
        return Cleaning.transform(this, cleaner, columns);
    }

    public Dataset stripHtml(String... columns) {
        return clean(TextCleaner.none().withHtmlStripping(), columns);
    }

    public Dataset maskPii(String... columns) {
        return clean(TextCleaner.none().withPiiMasking(), columns);
    }

    public Dataset dropEmpty(String... columns) {
        return Cleaning.dropEmpty(this, columns);
    }

    /** Removes rows whose column is shorter than min or longer than max characters (code points). */
    public Dataset filterChars(String column, int min, int max) {
        return Cleaning.filterLength(this, column, min, max, null);
    }

    public Dataset filterTokens(String column, TextTokenizer tokenizer, int min, int max) {
        return Cleaning.filterLength(this, column, min, max, tokenizer);
    }

    /** Exact duplicates over these columns (default: the role columns), first occurrence kept. */
    public Dataset dropDuplicates(String... columns) {
        return Cleaning.dropDuplicates(this, columns);
    }

    /** Near duplicates (Jaccard of character 5-gram shingles ≥ threshold), first occurrence kept. */
    public Dataset dropNearDuplicates(double threshold, String... columns) {
        return Cleaning.dropNearDuplicates(this, threshold, columns);
    }

    /** Removes rows whose key (these columns) appears in {@code other}, e.g. evaluation pairs from a corpus. */
    public Dataset exclude(Dataset other, String... keyColumns) {
        return Cleaning.exclude(this, other, keyColumns);
    }

    // ---- splits, templates, statistics ---------------------------------------------------------------------------

    public Split split(double train, double validation, double test, long seed) {
        return Splitter.split(this, train, validation, test, seed, false);
    }

    /** Each label keeps its share in every part. */
    public Split splitStratified(double train, double validation, double test, long seed) {
        return Splitter.split(this, train, validation, test, seed, true);
    }

    /** Adds "prompt" and "completion" columns rendered from the row (placeholders are validated first). */
    public Dataset template(PromptTemplate prompt, PromptTemplate completion) {
        return Templating.apply(this, prompt, completion);
    }

    public DatasetStats stats() {
        return DatasetStats.of(this, null);
    }

    public DatasetStats stats(TextTokenizer tokenizer) {
        return DatasetStats.of(this, tokenizer);
    }

    @Override
    public String toString() {
        return table.name() + ": " + size() + " rows, columns " + columns() + ", roles " + roles + "\n"
                + table.first(Math.min(5, size())).print();
    }

    // ---- package helpers -----------------------------------------------------------------------------------------

    void requireColumn(String name) {
        if (!table.columnNames().contains(name)) {
            throw new IllegalArgumentException("no column '" + name + "'; columns are " + table.columnNames());
        }
    }

    /** The columns the roles name, or every column but the id when no role is set. */
    List<String> defaultColumns(String... columns) {
        if (columns.length > 0) {
            for (String c : columns) {
                requireColumn(c);
            }
            return List.of(columns);
        }
        if (!roles.isEmpty()) {
            return roles.values().stream().distinct().toList();
        }
        return table.columnNames().stream().filter(c -> !c.equals(ID)).toList();
    }

    String describe(int row) {
        StringBuilder sb = new StringBuilder();
        for (String c : defaultColumns()) {
            String v = table.stringColumn(c).get(row);
            if (!sb.isEmpty()) {
                sb.append(" | ");
            }
            sb.append(v.length() > 200 ? v.substring(0, 200) + "…" : v);
        }
        return sb.toString();
    }

    Table rawTable() {
        return table;
    }

    Dataset keep(List<Integer> rows) {
        return new Dataset(table.rows(rows.stream().mapToInt(Integer::intValue).toArray()), roles, loadReport,
                cleaningReport);
    }

    Dataset withRows(List<Integer> rows, String step, int cellsChanged, List<CleaningReport.RemovedRow> removed) {
        Table t = table.rows(rows.stream().mapToInt(Integer::intValue).toArray());
        return new Dataset(t, roles, loadReport, cleaningReport.plus(
                new CleaningReport.Step(step, size(), rows.size(), cellsChanged, removed)));
    }

    Dataset withTable(Table t, CleaningReport.Step step) {
        return new Dataset(t, roles, loadReport, step == null ? cleaningReport : cleaningReport.plus(step));
    }

    private static List<Integer> range(int n) {
        List<Integer> r = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            r.add(i);
        }
        return r;
    }
}
