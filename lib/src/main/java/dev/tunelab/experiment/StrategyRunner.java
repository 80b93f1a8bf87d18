package dev.tunelab.experiment;

import dev.tunelab.data.Example;
import dev.tunelab.data.Split;
import dev.tunelab.data.TaskType;
import dev.tunelab.eval.Prediction;
import dev.tunelab.eval.ProgressListener;
import dev.tunelab.eval.Strategy;
import dev.tunelab.eval.StrategyCost;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs one strategy over a split: prepare on train/validation, predict every test example, then turn the predictions
 * into a {@link StrategyResult}. Prediction latency is the strategy's own figure when it reports one, else the wall
 * time measured here.
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
            List<Prediction> predictions = new ArrayList<>();
            List<Example> test = split.test();
            String stage = "evaluate " + strategy.name();
            for (int i = 0; i < test.size(); i++) {
                long p0 = System.nanoTime();
                Prediction p = strategy.predict(test.get(i));
                double wall = (System.nanoTime() - p0) / 1e6;
                if (p == null) {
                    throw new IllegalStateException("strategy " + strategy.name() + " returned no prediction for example " + test.get(i).id());
                }
                if (!(p.latencyMs() > 0)) {
                    p = new Prediction(p.text(), p.label(), p.labelScores(), wall, p.tokensIn(), p.tokensOut(), p.sources());
                }
                predictions.add(p);
                listener.progress(stage, i + 1, test.size(), null);
            }
            StrategyCost cost = strategy.cost();
            if (cost == null) {
                cost = StrategyCost.none();
            }
            double trainSeconds = cost.trainSeconds() > 0 ? cost.trainSeconds() : prepareSeconds;
            cost = new StrategyCost(trainSeconds, cost.trainableParams(),
                    Math.max(cost.peakMemoryBytes(), memory.peakBytes()), cost.curves(), cost.extra());
            return summarise(strategy.name(), strategy.kind(), split, predictions, cost);
        }
    }

    StrategyResult summarise(String name, String kind, Split split, List<Prediction> predictions, StrategyCost cost) {
        List<Example> test = split.test();
        List<ExampleResult> examples = new ArrayList<>();
        List<String> gold = new ArrayList<>();
        List<String> predicted = new ArrayList<>();
        double[] latency = new double[predictions.size()];
        long tokensIn = 0, tokensOut = 0;
        double f1Sum = 0, rougeSum = 0, exact = 0, latencySum = 0;
        boolean classification = split.task() == TaskType.CLASSIFICATION;
        for (int i = 0; i < predictions.size(); i++) {
            Example ex = test.get(i);
            Prediction p = predictions.get(i);
            latency[i] = p.latencyMs();
            latencySum += p.latencyMs();
            tokensIn += p.tokensIn();
            tokensOut += p.tokensOut();
            String answer = classification ? (p.label() != null ? p.label() : p.text()) : p.text();
            answer = answer == null ? "" : answer.trim();
            double score;
            boolean correct;
            if (classification) {
                correct = answer.equals(ex.target());
                score = correct ? 1 : 0;
                gold.add(ex.target());
                predicted.add(answer);
            } else {
                score = TaskMetrics.tokenF1(ex.target(), answer);
                correct = score >= generationCorrectF1;
                f1Sum += score;
                rougeSum += TaskMetrics.rougeL(ex.target(), answer);
                exact += TaskMetrics.tokens(ex.target()).equals(TaskMetrics.tokens(answer)) ? 1 : 0;
            }
            examples.add(new ExampleResult(ex.id(), ex.input(), ex.target(), answer, correct, score, p.latencyMs(),
                    p.tokensIn(), p.tokensOut(), p.sources()));
        }
        Map<String, Double> metrics = new LinkedHashMap<>();
        Map<String, Map<String, Integer>> confusion = Map.of();
        int n = predictions.size();
        if (classification) {
            metrics.put("accuracy", TaskMetrics.accuracy(gold, predicted));
            metrics.put("macro_f1", TaskMetrics.macroF1(split.labels(), gold, predicted));
            confusion = TaskMetrics.confusion(split.labels(), gold, predicted);
        } else {
            metrics.put("token_f1", f1Sum / n);
            metrics.put("rouge_l", rougeSum / n);
            metrics.put("exact_match", exact / n);
            metrics.put("answered_ok", (double) examples.stream().filter(ExampleResult::correct).count() / n);
        }
        double computeSeconds = cost.trainSeconds() + latencySum / 1000.0;
        double dollars = pricing.estimate(kind, computeSeconds, tokensIn, tokensOut);
        return new StrategyResult(name, kind, metrics, examples, TaskMetrics.percentile(latency, 0.5),
                TaskMetrics.percentile(latency, 0.95), tokensIn, tokensOut, cost, cost.peakMemoryBytes(), dollars,
                confusion);
    }
}
