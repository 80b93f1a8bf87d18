package dev.tunelab.experiment;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a comparison adds to the eval package's metrics: the confusion matrix over a fixed label set, numpy-style
 * percentiles, and the word tokens the classical baselines use.
 */
public final class TaskMetrics {
    private TaskMetrics() {}

    /** counts[gold][predicted]; predictions outside {@code labels} are counted under "(other)". */
    public static Map<String, Map<String, Integer>> confusion(List<String> labels, List<String> gold,
                                                              List<String> predicted) {
        checkSizes(gold, predicted);
        List<String> columns = new ArrayList<>(labels);
        boolean other = predicted.stream().anyMatch(p -> !labels.contains(p));
        if (other) {
            columns.add("(other)");
        }
        Map<String, Map<String, Integer>> m = new LinkedHashMap<>();
        for (String g : labels) {
            Map<String, Integer> row = new LinkedHashMap<>();
            columns.forEach(c -> row.put(c, 0));
            m.put(g, row);
        }
        for (int i = 0; i < gold.size(); i++) {
            String p = labels.contains(predicted.get(i)) ? predicted.get(i) : "(other)";
            m.get(gold.get(i)).merge(p, 1, Integer::sum);
        }
        return m;
    }

    /** Lower case, punctuation removed, whitespace split (SQuAD-style normalisation without article removal). */
    public static List<String> tokens(String text) {
        if (text == null) {
            return List.of();
        }
        String norm = text.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N}\\s]", " ").trim();
        return norm.isEmpty() ? List.of() : Arrays.asList(norm.split("\\s+"));
    }

    /** The q-quantile (0..1) by linear interpolation between order statistics (numpy's default). */
    public static double percentile(double[] values, double q) {
        if (values.length == 0) {
            return 0;
        }
        double[] s = values.clone();
        Arrays.sort(s);
        double pos = q * (s.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = (int) Math.ceil(pos);
        return s[lo] + (s[hi] - s[lo]) * (pos - lo);
    }

    private static void checkSizes(List<String> gold, List<String> predicted) {
        if (gold.size() != predicted.size()) {
            throw new IllegalArgumentException("gold has " + gold.size() + " items but predictions have " + predicted.size());
        }
    }
}
