package dev.tunelab.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Masking and scaled dot-product attention shared by the decoders. Constants (1, 1e9, 1/sqrt(d)) come in as
 * NDArrays owned by the model, never as Java numbers: a scalar operand inside a GradientCollector can be freed
 * before backward runs.
 */
final class Attention {
    private Attention() {}

    /** What one forward pass needs to know about positions: which keys exist and where each query sits. */
    record Layout(int batch, int queries, int past, NDArray keyMask, NDArray additiveMask, NDArray positions) {
        int keys() {
            return past + queries;
        }
    }

    /**
     * @param attentionMask [B, T] 1 = token, 0 = left padding; null = all tokens
     * @param cache         may be null; its mask is extended with this step's mask
     * @param one           scalar 1 (model constant)
     * @param big           scalar 1e9 (model constant)
     */
    static Layout layout(NDArray inputIds, NDArray attentionMask, DecoderCache cache, NDArray one, NDArray big,
                         int maxPositions) {
        NDManager m = inputIds.getManager();
        long[] shape = inputIds.getShape().getShape();
        int b = (int) shape[0];
        int t = (int) shape[1];
        int past = cache == null ? 0 : cache.length();
        int s = past + t;
        if (s > maxPositions) {
            throw new IllegalArgumentException("sequence of " + s + " positions exceeds max_position_embeddings "
                    + maxPositions);
        }
        NDArray keyMask = null;
        boolean padded = attentionMask != null || (cache != null && cache.mask() != null);
        if (padded) {
            NDArray step = attentionMask == null ? m.ones(new Shape(b, t)) : attentionMask.toType(DataType.FLOAT32, false);
            if (cache == null) {
                keyMask = step;
            } else {
                if (cache.mask() == null && past > 0) {
                    cache.appendMask(m.ones(new Shape(b, past))); // earlier steps had no padding
                }
                keyMask = cache.appendMask(step);
            }
        }
        NDArray additive = null;
        if (t > 1 || keyMask != null) { // one query without padding sees every key: no mask at all
            NDArray causal = m.arange(0, s, 1, DataType.INT32).reshape(1, s)
                    .lte(m.arange(past, s, 1, DataType.INT32).reshape(t, 1))
                    .toType(DataType.FLOAT32, false).reshape(1, 1, t, s);
            NDArray allowed = keyMask == null ? causal : causal.mul(keyMask.reshape(b, 1, 1, s));
            additive = allowed.sub(one).mul(big);
        }
        NDArray positions;
        if (keyMask == null) {
            positions = m.arange(past, s, 1, DataType.INT64).reshape(1, t);
        } else {
            // Left padding: a sequence's first real token sits at position 0 whatever its padding.
            positions = keyMask.cumSum(1).sub(one).maximum(0f).get(new NDIndex(":, {}:", past))
                    .toType(DataType.INT64, false);
        }
        return new Layout(b, t, past, keyMask, additive, positions);
    }

    /**
     * softmax(q k^T * scale + mask) v for grouped queries.
     *
     * @param q     [B, KV, G*T, D] queries, G query heads per key/value head, grouped so k/v need no repeat
     * @param k     [B, KV, S, D]
     * @param v     [B, KV, S, D]
     * @param mask  [B or 1, 1, T, S] additive, or null when every query sees every key
     * @param scale scalar 1/sqrt(D)
     * @return [B, KV, G*T, D]
     */
    static NDArray attend(NDArray q, NDArray k, NDArray v, NDArray mask, NDArray scale, int groups) {
        long[] qs = q.getShape().getShape();
        long b = qs[0];
        long kv = qs[1];
        long t = qs[2] / groups;
        long s = k.getShape().get(2);
        NDArray kT = k.transpose(0, 1, 3, 2);
        kT.attach(q.getManager()); // a view: keep the handle out of the (long-lived) cache's manager
        NDArray scores = q.mul(scale).matMul(kT);
        if (mask == null) {
            return scores.softmax(-1).matMul(v);
        }
        NDArray masked = groups == 1 ? scores.add(mask) : scores.reshape(b, kv, groups, t, s).add(mask.expandDims(2));
        NDArray probs = masked.softmax(-1).reshape(b, kv, groups * t, s);
        return probs.matMul(v);
    }
}
