package dev.tunelab.eval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Accuracy, per-class / macro / micro / weighted precision, recall and F1, and the confusion matrix, with
 * scikit-learn's conventions: a ratio whose denominator is 0 counts as 0 ({@code zero_division=0}); macro averages
 * over the given labels (by default every label seen in references or predictions); weighted averages by support.
 *
 * @param labels    the label order of the per-class lists and of the confusion matrix
 * @param confusion confusion[i][j] = examples whose reference is labels[i] and prediction labels[j]
 */
public record ClassificationMetrics(List<String> labels, int total, double accuracy, List<ClassScore> perClass,
                                    Average macro, Average micro, Average weighted, int[][] confusion) {
    /** One label's scores; {@code support} = references with that label. */
    public record ClassScore(String label, double precision, double recall, double f1, int support) {}

    public record Average(double precision, double recall, double f1) {}

    /** Labels: the sorted union of references and predictions (null predictions count as wrong for every label). */
    public static ClassificationMetrics of(List<String> references, List<String> predictions) {
        Set<String> all = new java.util.TreeSet<>();
        for (String r : references) {
            all.add(r);
        }
        for (String p : predictions) {
            if (p != null) {
                all.add(p);
            }
        }
        return of(references, predictions, new ArrayList<>(all));
    }

    public static ClassificationMetrics of(List<String> references, List<String> predictions, List<String> labels) {
        if (references.size() != predictions.size()) {
            throw new IllegalArgumentException(references.size() + " references but " + predictions.size()
                    + " predictions");
        }
        if (references.isEmpty()) {
            throw new IllegalArgumentException("no examples to score");
        }
        List<String> order = List.copyOf(new LinkedHashSet<>(labels));
        Map<String, Integer> index = new LinkedHashMap<>();
        for (int i = 0; i < order.size(); i++) {
            index.put(order.get(i), i);
        }
        int k = order.size();
        int[][] cm = new int[k][k];
        int[] tp = new int[k];
        int[] predicted = new int[k];
        int[] support = new int[k];
        int correct = 0;
        for (int n = 0; n < references.size(); n++) {
            String ref = references.get(n);
            String pred = predictions.get(n);
            Integer r = index.get(ref);
            Integer p = pred == null ? null : index.get(pred);
            if (ref.equals(pred)) {
                correct++;
            }
            if (r != null) {
                support[r]++;
            }
            if (p != null) {
                predicted[p]++;
            }
            if (r != null && p != null) {
                cm[r][p]++;
                if (r.equals(p)) {
                    tp[r]++;
                }
            }
        }
        List<ClassScore> per = new ArrayList<>();
        double mp = 0, mr = 0, mf = 0, wp = 0, wr = 0, wf = 0;
        int tpSum = 0, predSum = 0, supSum = 0;
        for (int i = 0; i < k; i++) {
            double p = ratio(tp[i], predicted[i]);
            double r = ratio(tp[i], support[i]);
            double f = p + r == 0 ? 0 : 2 * p * r / (p + r);
            per.add(new ClassScore(order.get(i), p, r, f, support[i]));
            mp += p;
            mr += r;
            mf += f;
            wp += p * support[i];
            wr += r * support[i];
            wf += f * support[i];
            tpSum += tp[i];
            predSum += predicted[i];
            supSum += support[i];
        }
        Average macro = k == 0 ? new Average(0, 0, 0) : new Average(mp / k, mr / k, mf / k);
        double microP = ratio(tpSum, predSum);
        double microR = ratio(tpSum, supSum);
        Average micro = new Average(microP, microR, microP + microR == 0 ? 0 : 2 * microP * microR / (microP + microR));
        Average weighted = supSum == 0 ? new Average(0, 0, 0) : new Average(wp / supSum, wr / supSum, wf / supSum);
        return new ClassificationMetrics(order, references.size(), correct / (double) references.size(), per, macro,
                micro, weighted, cm);
    }

    private static double ratio(int num, int den) {
        return den == 0 ? 0.0 : num / (double) den;
    }

    public ClassScore score(String label) {
        return perClass.stream().filter(c -> c.label().equals(label)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no label " + label + " in " + labels));
    }
}
