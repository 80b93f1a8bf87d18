package dev.tunelab.chart;

import dev.tunelab.experiment.Comparison;
import dev.tunelab.experiment.ExampleResult;
import dev.tunelab.experiment.StrategyResult;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Every standard figure one comparison supports, in report order. */
public final class ComparisonCharts {
    /** Key in {@code StrategyCost.extra} under which retrieval strategies may report their top similarity scores. */
    public static final String RETRIEVAL_SCORES = "retrieval_scores";

    private ComparisonCharts() {}

    public static List<Figure> all(Comparison c) {
        List<Figure> out = new ArrayList<>();
        String metric = c.primaryMetric();
        if (metric != null && !c.results().isEmpty()) {
            Map<String, Double> bars = new LinkedHashMap<>();
            c.results().forEach(r -> bars.put(r.name(), r.metrics().get(metric)));
            out.add(retitle(Charts.metricBars(metric, "0-1, higher is better", bars), c.experiment()));
            out.add(retitle(Charts.latencyVsQuality(metric, c.results().stream()
                    .map(r -> new ChartData.TradeOff(r.name(), r.latencyP50Ms(), r.metrics().get(metric))).toList()), c.experiment()));
        }
        // one chart per training run: a language-model loss (nats over a large vocabulary) and a two-class loss do
        // not share a useful scale
        for (StrategyResult r : c.results()) {
            List<double[]> train = r.cost().curves().get("train_loss");
            if (train != null && !train.isEmpty()) {
                out.add(Charts.lossCurves(c.experiment() + " / " + r.name() + ": training and validation loss",
                        List.of(new ChartData.LossCurve(r.name(), train, r.cost().curves().getOrDefault("validation_loss", List.of())))));
            }
        }
        for (StrategyResult r : c.results()) {
            if (!r.confusion().isEmpty()) {
                out.add(Charts.confusion(confusion(c.experiment() + " / " + r.name(), r.confusion())));
            }
        }
        Map<String, double[]> tokens = new LinkedHashMap<>();
        for (StrategyResult r : c.results()) {
            if (r.tokensIn() > 0) {
                tokens.put(r.name(), r.examples().stream().mapToDouble(ExampleResult::tokensIn).toArray());
            }
        }
        if (!tokens.isEmpty()) {
            out.add(Charts.histogram(new ChartData.Samples(c.experiment() + ": prompt length per example",
                    "prompt length (tokens)", tokens), 20));
        }
        Map<String, double[]> scores = new LinkedHashMap<>();
        for (StrategyResult r : c.results()) {
            double[] s = numbers(r.cost().extra().get(RETRIEVAL_SCORES));
            if (s.length > 0) {
                scores.put(r.name(), s);
            }
        }
        if (!scores.isEmpty()) {
            out.add(Charts.histogram(new ChartData.Samples(c.experiment() + ": retrieval similarity of retrieved items",
                    "similarity score (cosine)", scores), 20));
        }
        return out;
    }

    public static ChartData.Confusion confusion(String name, Map<String, Map<String, Integer>> m) {
        List<String> gold = new ArrayList<>(m.keySet());
        List<String> predicted = new ArrayList<>(m.values().iterator().next().keySet());
        int[][] counts = new int[gold.size()][predicted.size()];
        for (int g = 0; g < gold.size(); g++) {
            for (int p = 0; p < predicted.size(); p++) {
                counts[g][p] = m.get(gold.get(g)).getOrDefault(predicted.get(p), 0);
            }
        }
        return new ChartData.Confusion(name, gold, predicted, counts);
    }

    private static Figure retitle(Figure f, String experiment) {
        String title = experiment + ": " + f.title();
        f.chart().setTitle(title);
        return new Figure(Charts.slug(experiment + " " + f.name()), title, f.chart());
    }

    static double[] numbers(Object o) {
        if (o instanceof double[] d) {
            return d;
        }
        if (o instanceof List<?> list) {
            return list.stream().filter(x -> x instanceof Number).mapToDouble(x -> ((Number) x).doubleValue()).toArray();
        }
        return new double[0];
    }
}
