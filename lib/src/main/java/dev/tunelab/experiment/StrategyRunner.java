package dev.tunelab.experiment;

import dev.tunelab.data.Split;
import dev.tunelab.data.TaskType;
import dev.tunelab.eval.Evaluation;
import dev.tunelab.eval.EvaluationResult;
import dev.tunelab.eval.ProgressListener;
import dev.tunelab.eval.Strategy;
import dev.tunelab.eval.StrategyCost;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs one strategy over a split: prepare on train/validation (timed, memory sampled), evaluate every test example with
 * the eval package's {@link Evaluation} (its metrics and per-example results), then add what a comparison needs:
 * training cost, peak memory, money cost, right/wrong per example and the confusion matrix.
 */
public final class StrategyRunner {
    private final Pricing pricing;
    private final double generationCorrectF1;

    /** @param generationCorrectF1 a generated answer counts as right when its token F1 reaches this */
    public StrategyRunner(Pricing pricing, double generationCorrectF1) {
        this.pricing = pricing;
        this.generationCorrectF1 = generationCorrectF1;
    }

    public StrategyResult run(Strategy strategy, Split split, ProgressListener listener) {
        try (MemorySampler memory = new MemorySampler(50)) {
            long t0 = System.nanoTime();
            strategy.prepare(split, listener);
            double prepareSeconds = (System.nanoTime() - t0) / 1e9;
            String name = strategy.name();
            // eval's runner reports every strategy under one stage name; ours tells them apart
            ProgressListener named = (stage, done, total, message) -> listener.progress(stage + " " + name, done, total, null);
            EvaluationResult evaluation = Evaluation.of(strategy).optLabels(split.labels()).optListener(named)
                    .run(split.test(), split.task());
            StrategyCost cost = strategy.cost();
            if (cost == null) {
                cost = StrategyCost.none();
            }
            double trainSeconds = cost.trainSeconds() > 0 ? cost.trainSeconds() : prepareSeconds;
            cost = new StrategyCost(trainSeconds, cost.trainableParams(),
                    Math.max(cost.peakMemoryBytes(), memory.peakBytes()), cost.curves(), cost.extra());
            return summarise(name, strategy.kind(), split, evaluation, cost);
        }
    }

    /** Columns of their own in the comparison table, so not repeated among the task metrics. */
    private static final Set<String> NOT_TASK_METRICS = Set.of("examples", "latency_p50_ms", "latency_p95_ms",
            "latency_mean_ms", "tokens_in", "tokens_out", "tokens_total");

    StrategyResult summarise(String name, String kind, Split split, EvaluationResult evaluation, StrategyCost cost) {
        boolean classification = split.task() == TaskType.CLASSIFICATION;
        List<ExampleResult> examples = new ArrayList<>();
        double[] latency = new double[evaluation.examples().size()];
        long tokensIn = 0, tokensOut = 0;
        double latencySum = 0;
        List<String> gold = new ArrayList<>(), predicted = new ArrayList<>();
        for (int i = 0; i < evaluation.examples().size(); i++) {
            dev.tunelab.eval.ExampleResult e = evaluation.examples().get(i);
            latency[i] = e.latencyMs();
            latencySum += e.latencyMs();
            tokensIn += e.tokensIn();
            tokensOut += e.tokensOut();
            String answer = e.prediction() == null ? "" : e.prediction().trim();
            // a long generated answer is almost never an exact match: "right" means enough token overlap
            boolean correct = classification ? e.correct() : e.tokenF1() >= generationCorrectF1;
            examples.add(new ExampleResult(e.id(), e.input(), e.reference(), answer, correct, e.tokenF1(),
                    e.latencyMs(), e.tokensIn(), e.tokensOut(), e.sources()));
            gold.add(e.reference());
            predicted.add(answer);
        }
        Map<String, Double> metrics = new LinkedHashMap<>();
        evaluation.metrics().entrySet().stream().filter(m -> !NOT_TASK_METRICS.contains(m.getKey()))
                .sorted(Comparator.comparingInt((Map.Entry<String, Double> m) -> order(m.getKey())).thenComparing(Map.Entry::getKey)).forEach(m -> metrics.put(m.getKey(), m.getValue()));
        Map<String, Map<String, Integer>> confusion = Map.of();
        if (classification) {
            confusion = TaskMetrics.confusion(split.labels(), gold, predicted);
        } else {
            metrics.put("answered_ok", (double) examples.stream().filter(ExampleResult::correct).count() / examples.size());
        }
        double computeSeconds = cost.trainSeconds() + latencySum / 1000.0;
        double dollars = pricing.estimate(kind, computeSeconds, tokensIn, tokensOut);
        return new StrategyResult(name, kind, metrics, examples, TaskMetrics.percentile(latency, 0.5),
                TaskMetrics.percentile(latency, 0.95), tokensIn, tokensOut, cost, cost.peakMemoryBytes(), dollars,
                confusion);
    }

    /** The primary metric first: accuracy for classification, token F1 for generation. */
    private static int order(String metric) {
        return switch (metric) {
            case "accuracy", "token_f1" -> 0;
            case "macro_f1", "rougeL" -> 1;
            default -> 2;
        };
    }
}
