package dev.tunelab.experiment;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Sparse TF-IDF vectors (smoothed idf, L2-normalised) over {@link TaskMetrics#tokens} for the classical baselines. */
final class TfIdf {
    private final Map<String, Integer> vocabulary = new HashMap<>();
    private final double[] idf;

    TfIdf(List<String> corpus) {
        Map<String, Integer> df = new HashMap<>();
        for (String doc : corpus) {
            for (String t : new java.util.HashSet<>(TaskMetrics.tokens(doc))) {
                df.merge(t, 1, Integer::sum);
            }
        }
        df.keySet().stream().sorted().forEach(t -> vocabulary.put(t, vocabulary.size()));
        idf = new double[vocabulary.size()];
        df.forEach((t, n) -> idf[vocabulary.get(t)] = Math.log((1.0 + corpus.size()) / (1.0 + n)) + 1.0);
    }

    int size() {
        return vocabulary.size();
    }

    /** Index → weight; unknown tokens are dropped. */
    Map<Integer, Double> vector(String text) {
        Map<Integer, Double> v = new HashMap<>();
        for (String t : TaskMetrics.tokens(text)) {
            Integer i = vocabulary.get(t);
            if (i != null) {
                v.merge(i, idf[i], Double::sum);
            }
        }
        double norm = Math.sqrt(v.values().stream().mapToDouble(x -> x * x).sum());
        if (norm > 0) {
            v.replaceAll((k, x) -> x / norm);
        }
        return v;
    }

    static double dot(Map<Integer, Double> a, Map<Integer, Double> b) {
        if (a.size() > b.size()) {
            Map<Integer, Double> t = a;
            a = b;
            b = t;
        }
        double s = 0;
        for (Map.Entry<Integer, Double> e : a.entrySet()) {
            Double w = b.get(e.getKey());
            if (w != null) {
                s += e.getValue() * w;
            }
        }
        return s;
    }
}
