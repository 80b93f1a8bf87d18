package dev.tunelab.rag;

import dev.tunelab.data.Example;
import dev.tunelab.prompt.ShotSelector;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Retrieval-selected few-shot: the k labelled pool examples whose inputs are most similar to the query under an
 * {@link Embedder} (cosine over a {@link VectorIndex}). The query itself (same id) is never chosen; the most similar
 * demonstration is placed last, next to the query.
 */
public final class EmbeddingShotSelector implements ShotSelector {
    private final Embedder embedder;
    private VectorIndex index;
    private Map<String, Example> byId = Map.of();

    public EmbeddingShotSelector(Embedder embedder) {
        this.embedder = embedder;
    }

    @Override
    public String name() {
        return "embedding";
    }

    @Override
    public void fit(List<Example> pool) {
        VectorIndex idx = new VectorIndex(embedder.dimension());
        float[][] v = embedder.embed(pool.stream().map(Example::input).toList());
        Map<String, Example> ids = new java.util.HashMap<>();
        for (int i = 0; i < pool.size(); i++) {
            Example e = pool.get(i);
            if (ids.put(e.id(), e) != null) {
                throw new IllegalArgumentException("duplicate example id '" + e.id() + "' in the demonstration pool");
            }
            idx.add(e.id(), v[i], Map.of());
        }
        this.index = idx;
        this.byId = ids;
    }

    @Override
    public List<Example> select(Example query, int k) {
        if (index == null) {
            throw new IllegalStateException("fit(pool) first");
        }
        if (k <= 0 || index.size() == 0) {
            return List.of();
        }
        int want = Math.min(index.size(), k + 1);
        List<VectorIndex.Hit> hits = index.search(embedder.embed(query.input()), want);
        List<Example> best = new ArrayList<>();
        for (VectorIndex.Hit h : hits) {
            if (!h.id().equals(query.id()) && best.size() < k) {
                best.add(byId.get(h.id()));
            }
        }
        java.util.Collections.reverse(best);
        return List.copyOf(best);
    }
}
