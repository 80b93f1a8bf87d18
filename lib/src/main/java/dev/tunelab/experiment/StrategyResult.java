package dev.tunelab.experiment;

import dev.tunelab.eval.StrategyCost;

import java.util.List;
import java.util.Map;

/**
 * Everything measured for one strategy in one run: task metrics, per-example results, latency percentiles, tokens,
 * training cost and the estimated money cost.
 */
public record StrategyResult(String name, String kind, Map<String, Double> metrics, List<ExampleResult> examples,
                             double latencyP50Ms, double latencyP95Ms, long tokensIn, long tokensOut,
                             StrategyCost cost, long peakMemoryBytes, double estimatedCostUsd,
                             Map<String, Map<String, Integer>> confusion) {
    public StrategyResult {
        metrics = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(metrics));
        examples = List.copyOf(examples);
        confusion = confusion == null ? Map.of() : confusion;
    }

    public long correctCount() {
        return examples.stream().filter(ExampleResult::correct).count();
    }

    public List<ExampleResult> wrong() {
        return examples.stream().filter(e -> !e.correct()).toList();
    }
}
