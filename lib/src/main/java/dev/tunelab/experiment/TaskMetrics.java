package dev.tunelab.experiment;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The task metrics a comparison reports: accuracy / macro-F1 / confusion for classification, SQuAD-style token F1,
 * ROUGE-L F and exact match for generation.
 */
public final class TaskMetrics {
    private TaskMetrics() {}

    public static double accuracy(List<String> gold, List<String> predicted) {
        checkSizes(gold, predicted);
        if (gold.isEmpty()) {
            throw new IllegalArgumentException("accuracy of zero examples is undefined");
        }
        int right = 0;
        for (int i = 0; i < gold.size(); i++) {
            if (gold.get(i).equals(predicted.get(i))) {
                right++;
            }
        }
        return (double) right / gold.size();
    }

    /** Unweighted mean of per-label F1 over {@code labels}; a label never predicted nor present scores 0. */
    public static double macroF1(List<String> labels, List<String> gold, List<String> predicted) {
        checkSizes(gold, predicted);
        if (labels.isEmpty()) {
            throw new IllegalArgumentException("macro-F1 needs at least one label");
        }
        double sum = 0;
        for (String label : labels) {
            int tp = 0, fp = 0, fn = 0;
            for (int i = 0; i < gold.size(); i++) {
                boolean g = label.equals(gold.get(i));
                boolean p = label.equals(predicted.get(i));
                if (g && p) tp++;
                else if (p) fp++;
                else if (g) fn++;
            }
            sum += tp == 0 ? 0 : 2.0 * tp / (2.0 * tp + fp + fn);
        }
        return sum / labels.size();
    }

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

    /** Token-overlap F1 between a prediction and a reference (bag of tokens with multiplicity). */
    public static double tokenF1(String reference, String prediction) {
        List<String> ref = tokens(reference);
        List<String> pred = tokens(prediction);
        if (ref.isEmpty() || pred.isEmpty()) {
            return ref.isEmpty() && pred.isEmpty() ? 1.0 : 0.0;
        }
        Map<String, Integer> counts = new HashMap<>();
        ref.forEach(t -> counts.merge(t, 1, Integer::sum));
        int common = 0;
        for (String t : pred) {
            Integer c = counts.get(t);
            if (c != null && c > 0) {
                common++;
                counts.put(t, c - 1);
            }
        }
        if (common == 0) {
            return 0;
        }
        double precision = (double) common / pred.size();
        double recall = (double) common / ref.size();
        return 2 * precision * recall / (precision + recall);
    }

    /** ROUGE-L F-measure (beta = 1) from the longest common subsequence of tokens. */
    public static double rougeL(String reference, String prediction) {
        List<String> ref = tokens(reference);
        List<String> pred = tokens(prediction);
        if (ref.isEmpty() || pred.isEmpty()) {
            return ref.isEmpty() && pred.isEmpty() ? 1.0 : 0.0;
        }
        int[] prev = new int[pred.size() + 1];
        int[] cur = new int[pred.size() + 1];
        for (String r : ref) {
            for (int j = 1; j <= pred.size(); j++) {
                cur[j] = r.equals(pred.get(j - 1)) ? prev[j - 1] + 1 : Math.max(prev[j], cur[j - 1]);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        int lcs = prev[pred.size()];
        if (lcs == 0) {
            return 0;
        }
        double p = (double) lcs / pred.size();
        double r = (double) lcs / ref.size();
        return 2 * p * r / (p + r);
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
