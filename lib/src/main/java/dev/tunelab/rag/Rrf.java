package dev.tunelab.rag;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reciprocal rank fusion (Cormack, Clarke & Büttcher, SIGIR 2009): score(d) = Σ_lists w_l / (k + rank_l(d)),
 * rank starting at 1, documents absent from a list contribute nothing. k = 60 by default.
 */
public final class Rrf {
    public static final int DEFAULT_K = 60;

    private Rrf() {}

    public static List<Scored> fuse(List<List<String>> rankings) {
        return fuse(rankings, null, DEFAULT_K);
    }

    /** @param weights one weight per ranking, null for all 1 */
    public static List<Scored> fuse(List<List<String>> rankings, double[] weights, int k) {
        if (weights != null && weights.length != rankings.size()) {
            throw new IllegalArgumentException(rankings.size() + " rankings but " + weights.length + " weights");
        }
        Map<String, Double> score = new LinkedHashMap<>();
        for (int l = 0; l < rankings.size(); l++) {
            double w = weights == null ? 1 : weights[l];
            List<String> ranking = rankings.get(l);
            for (int r = 0; r < ranking.size(); r++) {
                score.merge(ranking.get(r), w / (k + r + 1), Double::sum);
            }
        }
        List<Scored> out = new ArrayList<>();
        score.forEach((id, s) -> out.add(new Scored(id, s)));
        // Stable sort: equal scores keep first-seen order.
        out.sort(Comparator.comparingDouble(Scored::score).reversed());
        return out;
    }
}
