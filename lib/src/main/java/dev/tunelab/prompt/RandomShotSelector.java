package dev.tunelab.prompt;

import dev.tunelab.data.Example;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * k demonstrations drawn uniformly without replacement. The draw depends only on the seed and the query's id, so a
 * run is reproducible whatever order the queries come in.
 */
public final class RandomShotSelector implements ShotSelector {
    private final long seed;
    private List<Example> pool = List.of();

    public RandomShotSelector(long seed) {
        this.seed = seed;
    }

    @Override
    public String name() {
        return "random";
    }

    @Override
    public void fit(List<Example> pool) {
        this.pool = List.copyOf(pool);
    }

    @Override
    public List<Example> select(Example query, int k) {
        List<Example> candidates = new ArrayList<>();
        for (Example e : pool) {
            if (!e.id().equals(query.id())) {
                candidates.add(e);
            }
        }
        Random rng = new Random(seed * 1_000_003L + query.id().hashCode());
        int n = Math.min(k, candidates.size());
        // partial Fisher-Yates: the first n slots become the sample
        for (int i = 0; i < n; i++) {
            int j = i + rng.nextInt(candidates.size() - i);
            Example tmp = candidates.get(i);
            candidates.set(i, candidates.get(j));
            candidates.set(j, tmp);
        }
        return List.copyOf(candidates.subList(0, n));
    }
}
