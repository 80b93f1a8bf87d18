package dev.tunelab.chart;

import java.util.List;
import java.util.Map;

/** Plain records the charts are drawn from; any package can fill them. */
public final class ChartData {
    private ChartData() {}

    /** One training run's losses as [step, loss] pairs; validation may be empty. */
    public record LossCurve(String run, List<double[]> train, List<double[]> validation) {
        public LossCurve {
            train = train == null ? List.of() : List.copyOf(train);
            validation = validation == null ? List.of() : List.copyOf(validation);
        }
    }

    /** One strategy as a point of the latency/quality trade-off. */
    public record TradeOff(String strategy, double latencyMs, double quality) {}

    /** counts[gold][predicted] with row labels {@code gold} and column labels {@code predicted}. */
    public record Confusion(String strategy, List<String> gold, List<String> predicted, int[][] counts) {}

    /** Named samples for a histogram (token lengths of each split part, retrieval scores of each strategy). */
    public record Samples(String title, String xAxis, Map<String, double[]> series) {}
}
