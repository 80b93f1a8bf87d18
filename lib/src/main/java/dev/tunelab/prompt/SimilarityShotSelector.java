package dev.tunelab.prompt;

import dev.tunelab.data.Example;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The k pool examples lexically closest to the query: TF-IDF cosine similarity over their inputs (see {@link TfIdf}).
 * Ties go to the earlier pool example. The most similar demonstration is placed last, next to the query.
 */
public final class SimilarityShotSelector implements ShotSelector {
    private final TfIdf tfIdf = new TfIdf();
    private List<Example> pool = List.of();
    private List<Map<Integer, Double>> vectors = List.of();

    @Override
    public String name() {
        return "similar";
    }

    @Override
    public void fit(List<Example> pool) {
        this.pool = List.copyOf(pool);
        List<String> inputs = new ArrayList<>();
        for (Example e : pool) {
            inputs.add(e.input());
        }
        this.vectors = tfIdf.fit(inputs);
    }

    /** Cosine similarity of the query to every pool example, in pool order. */
    public double[] similarities(Example query) {
        Map<Integer, Double> q = tfIdf.transform(query.input());
        double[] s = new double[pool.size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = TfIdf.cosine(q, vectors.get(i));
        }
        return s;
    }

    @Override
    public List<Example> select(Example query, int k) {
        double[] s = similarities(query);
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < s.length; i++) {
            if (!pool.get(i).id().equals(query.id())) {
                order.add(i);
            }
        }
        order.sort(Comparator.<Integer>comparingDouble(i -> -s[i]).thenComparingInt(i -> i));
        List<Example> out = new ArrayList<>();
        for (int i = Math.min(k, order.size()) - 1; i >= 0; i--) {
            out.add(pool.get(order.get(i)));
        }
        return List.copyOf(out);
    }
}
