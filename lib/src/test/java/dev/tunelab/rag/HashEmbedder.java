package dev.tunelab.rag;

import java.util.List;

/** A tiny deterministic bag-of-words embedder for tests of the plumbing around embeddings (not of embeddings). */
final class HashEmbedder implements Embedder {
    static final int DIM = 64;

    @Override
    public int dimension() {
        return DIM;
    }

    @Override
    public String name() {
        return "hash-bow";
    }

    @Override
    public float[][] embed(List<String> texts) {
        float[][] out = new float[texts.size()][];
        for (int i = 0; i < texts.size(); i++) {
            float[] v = new float[DIM];
            for (String t : TextTerms.english().terms(texts.get(i))) {
                v[Math.floorMod(t.hashCode(), DIM)] += 1;
            }
            v[DIM - 1] += 0.01f;
            out[i] = Embedder.normalize(v, "test text");
        }
        return out;
    }
}
