package dev.tunelab.experiment;

import dev.tunelab.data.Example;
import dev.tunelab.data.Split;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a report says about the data: sizes of each part, label counts, and input/target lengths (characters).
 */
public record SplitStats(String name, String task, int train, int validation, int test,
                         Map<String, Integer> trainLabelCounts, Map<String, Integer> testLabelCounts,
                         double meanInputChars, double meanTargetChars, int maxInputChars) {

    public static SplitStats of(Split split) {
        List<Example> all = new java.util.ArrayList<>(split.train());
        all.addAll(split.validation());
        all.addAll(split.test());
        double in = all.stream().mapToInt(e -> e.input().length()).average().orElse(0);
        double out = all.stream().mapToInt(e -> e.target().length()).average().orElse(0);
        int max = all.stream().mapToInt(e -> e.input().length()).max().orElse(0);
        return new SplitStats(split.name(), split.task().name().toLowerCase(), split.train().size(),
                split.validation().size(), split.test().size(), labelCounts(split, split.train()),
                labelCounts(split, split.test()), in, out, max);
    }

    private static Map<String, Integer> labelCounts(Split split, List<Example> part) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        split.labels().forEach(l -> counts.put(l, 0));
        if (!split.labels().isEmpty()) {
            part.forEach(e -> counts.merge(e.target(), 1, Integer::sum));
        }
        return counts;
    }
}
