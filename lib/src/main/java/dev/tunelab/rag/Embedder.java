package dev.tunelab.rag;

import java.util.List;

/**
 * Turns texts into L2-normalised vectors, so that a dot product is the cosine similarity. Implementations batch
 * internally; {@code embed} keeps the input order.
 */
public interface Embedder extends AutoCloseable {
    /** Vector length. */
    int dimension();

    /** A short name for reports, e.g. "all-MiniLM-L6-v2 (onnx, q8)". */
    String name();

    /** One unit-length vector per text, in input order. */
    float[][] embed(List<String> texts);

    default float[] embed(String text) {
        return embed(List.of(text))[0];
    }

    @Override
    default void close() {}

    /** Scales {@code v} to unit length in place; a zero vector is an error (it has no direction). */
    static float[] normalize(float[] v, String what) {
        double sum = 0;
        for (float x : v) {
            sum += (double) x * x;
        }
        if (!(sum > 0) || Double.isInfinite(sum)) {
            throw new IllegalStateException("cannot normalise the embedding of " + what + ": norm is " + Math.sqrt(sum));
        }
        float inv = (float) (1.0 / Math.sqrt(sum));
        for (int i = 0; i < v.length; i++) {
            v[i] *= inv;
        }
        return v;
    }
}
