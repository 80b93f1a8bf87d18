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
 * A table of text rows (string columns, one of them {@link #ID}) with column roles and the reports of how it was
 * loaded and cleaned, viewed as a Tablesaw {@link Table} through {@link #table()}. Every operation returns a new
 * Dataset; the original is unchanged. Columns are held as immutable lists and shared between datasets: Tablesaw's
 * dictionary-encoded string columns cost seconds to copy or filter for 16k distinct answers, so the Table is built
 * when asked for.
 * <pre>{@code
 * Dataset d = Datasets.get("sentiment-uci").clean().dropDuplicates().dropNearDuplicates(0.9);
 * Split s = d.splitStratified(0.8, 0.1, 0.1, 42);
 * }</pre>
 */
public final class Dataset {
    /** The row id column every dataset has (file:line when loaded from a file). */
    public static final String ID = "id";

    private final String name;
    private final Map<String, List<String>> data;
    private final int size;
    private final Map<Role, String> roles;
    private final LoadReport loadReport;
    private final CleaningReport cleaningReport;

    Dataset(String name, Map<String, List<String>> columns, Map<Role, String> roles, LoadReport loadReport,
            CleaningReport cleaningReport) {
        this.name = name;
        Map<String, List<String>> copy = new LinkedHashMap<>();
        int n = -1;
        for (Map.Entry<String, List<String>> e : columns.entrySet()) {
            List<String> v = List.copyOf(e.getValue());
            if (n >= 0 && v.size() != n) {
                throw new IllegalArgumentException("column '" + e.getKey() + "' has " + v.size() + " rows, not " + n);
            }
            n = v.size();
            copy.put(e.getKey(), v);
        }
        if (!copy.containsKey(ID)) {
            throw new IllegalArgumentException("a dataset needs an '" + ID + "' column");
        }
        this.data = Collections.unmodifiableMap(copy);
        this.size = Math.max(n, 0);
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
        return DatasetAssembly.fromTable(table);
    }

    /** Rows of all datasets, columns united (missing cells are empty); roles of the first, reports of all. */
    public static Dataset concat(List<Dataset> parts) {
        return DatasetAssembly.concat(parts);
    }

    // ---- access --------------------------------------------------------------------------------------------------

    /** The rows as a new Tablesaw table of string columns (changing it does not change this dataset). */
    public Table table() {
        Table t = Table.create(name);
        data.forEach((c, v) -> t.addColumns(StringColumn.create(c, v)));
        return t;
    }

    public int size() {
        return size;
    }

    public List<String> columns() {
        return List.copyOf(data.keySet());
    }

    /** The values of a column (immutable). */
    public List<String> column(String name) {
        requireColumn(name);
        return data.get(name);
    }

    public List<String> ids() {
        return column(ID);
    }

    public Map<String, String> row(int index) {
        Map<String, String> row = new LinkedHashMap<>();
        data.forEach((c, v) -> row.put(c, v.get(index)));
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
        return new Dataset(name, data, r, loadReport, cleaningReport);
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

    /** The same rows under another name (used in split names and printouts). */
    public Dataset named(String newName) {
        return new Dataset(newName, data, roles, loadReport, cleaningReport);
    }

    public String name() {
        return name;
    }

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
        Map<String, List<String>> t = new LinkedHashMap<>();
        keep.forEach(c -> t.put(c, data.get(c)));
        Map<Role, String> r = new EnumMap<>(Role.class);
        roles.forEach((role, col) -> {
            if (keep.contains(col)) {
                r.put(role, col);
            }
        });
        return new Dataset(name, t, r, loadReport, cleaningReport);
    }

    public Dataset rename(String from, String to) {
        requireColumn(from);
        if (columns().contains(to)) {
            throw new IllegalArgumentException("column '" + to + "' already exists");
        }
        Map<String, List<String>> t = new LinkedHashMap<>();
        data.forEach((c, v) -> t.put(c.equals(from) ? to : c, v));
        Map<Role, String> r = new EnumMap<>(Role.class);
        roles.forEach((role, col) -> r.put(role, col.equals(from) ? to : col));
        return new Dataset(name, t, r, loadReport, cleaningReport);
    }

    /** Adds (or replaces) a column computed from each row. */
    public Dataset withColumn(String column, Function<Map<String, String>, String> value) {
        List<String> values = new ArrayList<>(size());
        for (int i = 0; i < size(); i++) {
            values.add(value.apply(row(i)));
        }
        return withColumnValues(column, values, null);
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
        return head(5).table().print() + "\n" + name + ": " + size + " rows, columns " + columns() + ", roles "
                + roles;
    }

    // ---- package helpers -----------------------------------------------------------------------------------------

    void requireColumn(String name) {
        if (!data.containsKey(name)) {
            throw new IllegalArgumentException("no column '" + name + "'; columns are " + data.keySet());
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
        return data.keySet().stream().filter(c -> !c.equals(ID)).toList();
    }

    String describe(int row) {
        StringBuilder sb = new StringBuilder();
        for (String c : defaultColumns()) {
            String v = data.get(c).get(row);
            if (!sb.isEmpty()) {
                sb.append(" | ");
            }
            sb.append(v.length() > 200 ? v.substring(0, 200) + "…" : v);
        }
        return sb.toString();
    }

    String cell(String column, int row) {
        return data.get(column).get(row);
    }

    Dataset keep(List<Integer> rows) {
        return new Dataset(name, select(rows), roles, loadReport, cleaningReport);
    }

    Dataset withRows(List<Integer> rows, String step, int cellsChanged, List<CleaningReport.RemovedRow> removed) {
        return new Dataset(name, select(rows), roles, loadReport, cleaningReport.plus(
                new CleaningReport.Step(step, size(), rows.size(), cellsChanged, removed)));
    }

    /** A copy with one column added or replaced, recording {@code step} when not null. */
    Dataset withColumnValues(String column, List<String> values, CleaningReport.Step step) {
        Map<String, List<String>> t = new LinkedHashMap<>(data);
        t.put(column, values);
        return new Dataset(name, t, roles, loadReport, step == null ? cleaningReport : cleaningReport.plus(step));
    }

    Dataset withStep(CleaningReport.Step step) {
        return new Dataset(name, data, roles, loadReport, cleaningReport.plus(step));
    }

    private Map<String, List<String>> select(List<Integer> rows) {
        Map<String, List<String>> t = new LinkedHashMap<>();
        data.forEach((c, v) -> {
            List<String> out = new ArrayList<>(rows.size());
            for (int r : rows) {
                out.add(v.get(r));
            }
            t.put(c, out);
        });
        return t;
    }

    private static List<Integer> range(int n) {
        List<Integer> r = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            r.add(i);
        }
        return r;
    }
}
