package dev.tunelab.experiment;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The outcome of an experiment: one {@link StrategyResult} per strategy on the same test split, as a Tablesaw table,
 * an HTML table for notebooks, and the results.json document.
 */
public final class Comparison {
    private final String experiment;
    private final SplitStats stats;
    private final Map<String, Object> config;
    private final List<StrategyResult> results;

    public Comparison(String experiment, SplitStats stats, Map<String, Object> config, List<StrategyResult> results) {
        this.experiment = experiment;
        this.stats = stats;
        this.config = config == null ? Map.of() : new LinkedHashMap<>(config);
        this.results = List.copyOf(results);
    }

    public String experiment() {
        return experiment;
    }

    public SplitStats stats() {
        return stats;
    }

    public Map<String, Object> config() {
        return config;
    }

    public List<StrategyResult> results() {
        return results;
    }

    public StrategyResult result(String strategyName) {
        return results.stream().filter(r -> r.name().equals(strategyName)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no strategy named '" + strategyName + "' in " + experiment));
    }

    /** Metric names in first-seen order across strategies. */
    public List<String> metricNames() {
        Set<String> names = new LinkedHashSet<>();
        results.forEach(r -> names.addAll(r.metrics().keySet()));
        return new ArrayList<>(names);
    }

    /** The primary metric: accuracy for classification, token F1 for generation. */
    public String primaryMetric() {
        List<String> names = metricNames();
        return names.isEmpty() ? null : names.get(0);
    }

    /** One row per strategy, one column per metric and cost. */
    public Table table() {
        Table t = Table.create(experiment);
        t.addColumns(StringColumn.create("strategy", results.stream().map(StrategyResult::name).toList()),
                StringColumn.create("kind", results.stream().map(StrategyResult::kind).toList()));
        for (String m : metricNames()) {
            t.addColumns(DoubleColumn.create(m, results.stream().mapToDouble(r -> r.metrics().getOrDefault(m, Double.NaN))));
        }
        t.addColumns(DoubleColumn.create("latency_p50_ms", results.stream().mapToDouble(StrategyResult::latencyP50Ms)),
                DoubleColumn.create("latency_p95_ms", results.stream().mapToDouble(StrategyResult::latencyP95Ms)),
                LongColumn.create("tokens_in", results.stream().mapToLong(StrategyResult::tokensIn).toArray()),
                LongColumn.create("tokens_out", results.stream().mapToLong(StrategyResult::tokensOut).toArray()),
                DoubleColumn.create("train_seconds", results.stream().mapToDouble(r -> r.cost().trainSeconds())),
                LongColumn.create("trainable_params", results.stream().mapToLong(r -> r.cost().trainableParams()).toArray()),
                DoubleColumn.create("peak_memory_mb", results.stream().mapToDouble(r -> r.peakMemoryBytes() / 1048576.0)),
                DoubleColumn.create("cost_usd", results.stream().mapToDouble(StrategyResult::estimatedCostUsd)),
                IntColumn.create("right", results.stream().mapToInt(r -> (int) r.correctCount()).toArray()),
                IntColumn.create("wrong", results.stream().mapToInt(r -> r.wrong().size()).toArray()));
        return t;
    }

    /** Example id × strategy: true where that strategy got the example right. */
    public Table correctness() {
        Table t = Table.create(experiment + " correctness");
        if (results.isEmpty()) {
            return t;
        }
        List<ExampleResult> first = results.get(0).examples();
        t.addColumns(StringColumn.create("example", first.stream().map(ExampleResult::id).toList()));
        for (StrategyResult r : results) {
            t.addColumns(tech.tablesaw.api.BooleanColumn.create(r.name(), r.examples().stream().map(ExampleResult::correct).toList()));
        }
        return t;
    }

    /** A styled HTML table (escaped) for notebooks and reports. */
    public String toHtml() {
        return HtmlTable.render(table());
    }

    /** One entry per strategy in the foundation's results.json schema, plus extra keys. */
    public List<Map<String, Object>> strategyEntries(String namePrefix) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (StrategyResult r : results) {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("name", namePrefix + r.name());
            s.put("kind", r.kind());
            s.put("metrics", new LinkedHashMap<>(r.metrics()));
            s.put("latency_ms", Map.of("p50", r.latencyP50Ms(), "p95", r.latencyP95Ms()));
            s.put("train_seconds", r.cost().trainSeconds());
            s.put("trainable_params", r.cost().trainableParams());
            s.put("peak_memory_bytes", r.peakMemoryBytes());
            s.put("experiment", experiment);
            s.put("task", stats == null ? null : stats.task());
            s.put("tokens_in", r.tokensIn());
            s.put("tokens_out", r.tokensOut());
            s.put("estimated_cost_usd", r.estimatedCostUsd());
            s.put("examples", r.examples().size());
            s.put("correct_ids", r.examples().stream().filter(ExampleResult::correct).map(ExampleResult::id).toList());
            s.put("wrong_ids", r.wrong().stream().map(ExampleResult::id).toList());
            Map<String, Object> extra = new LinkedHashMap<>();
            // long per-example lists (retrieval scores) belong in charts, not in the summary document
            r.cost().extra().forEach((k, v) -> {
                if (!(v instanceof java.util.Collection<?> c && c.size() > 20)) {
                    extra.put(k, v);
                }
            });
            if (!extra.isEmpty()) {
                s.put("extra", extra);
            }
            out.add(s);
        }
        return out;
    }

    /** Writes {@code dir/results.json} atomically; several comparisons share one file with prefixed names. */
    public static Path writeResultsJson(Path dir, List<Comparison> comparisons) {
        List<Map<String, Object>> strategies = new ArrayList<>();
        List<Map<String, Object>> experiments = new ArrayList<>();
        boolean prefix = comparisons.size() > 1;
        for (Comparison c : comparisons) {
            strategies.addAll(c.strategyEntries(prefix ? c.experiment + "/" : ""));
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("name", c.experiment);
            e.put("dataset", c.stats);
            e.put("config", c.config);
            experiments.add(e);
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("strategies", strategies);
        doc.put("experiments", experiments);
        try {
            byte[] bytes = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(doc);
            return AtomicFiles.write(dir.resolve("results.json"), bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir.resolve("results.json") + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return table().printAll();
    }
}
