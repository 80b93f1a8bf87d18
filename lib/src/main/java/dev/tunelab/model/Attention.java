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

    /**
     * What one forward pass needs to know about positions: which keys exist and where each query sits.
     * {@code positions} [B, T] is null when every row's queries sit at past .. past+T-1 (no padding).
     */
    record Layout(int batch, int queries, int past, NDArray keyMask, NDArray additiveMask, NDArray positions) {
        int keys() {
            return past + queries;
        }

        /** Rows of a per-position table for the queries: [T, C] when unpadded, else [B, T, C]; owned by {@code owner}. */
        NDArray positionRows(NDArray table, NDManager owner) {
            if (positions == null) {
                NDArray rows = table.get(new NDIndex().addSliceDim(past, keys())); // a view, no gather
                rows.attach(owner);
                return rows;
            }
            return Decoder.lookup(positions, table);
        }

        /** The last query position of each row of hidden states [B*T, H] → [B, H]. */
        NDArray lastRows(NDArray hidden) {
            return queries == 1 ? hidden : hidden.get(new NDIndex().addSliceDim(queries - 1, (long) batch * queries,
                    queries));
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
        NDArray positions = null;
        if (keyMask != null) {
            // Left padding: a sequence's first real token sits at position 0 whatever its padding.
            positions = keyMask.cumSum(1).sub(one).maximum(0f).get(new NDIndex(":, {}:", past))
                    .toType(DataType.INT64, false);
        }
        return new Layout(b, t, past, keyMask, additive, positions);
    }

    /** [B*T, N*D] → [B, N, T, D]. With one position the transpose moves nothing, so a reshape does it. */
    static NDArray headsFirst(NDArray x, int b, int t, int heads, int d) {
        return t == 1 ? x.reshape(b, heads, 1, d) : x.reshape(b, t, heads, d).transpose(0, 2, 1, 3);
    }

    /** The inverse of {@link #headsFirst}: [B, N, T, D] (or [B, KV, G*T, D], the same memory) → [B*T, N*D]. */
    static NDArray headsLast(NDArray x, int b, int t, int heads, int d) {
        return t == 1 ? x.reshape(b, (long) heads * d)
                : x.reshape(b, heads, t, d).transpose(0, 2, 1, 3).reshape((long) b * t, (long) heads * d);
    }

    /**
     * softmax(q k^T * scale + mask) v for grouped queries.
     *
     * @param q     [B, KV, G*T, D] queries, G query heads per key/value head, grouped so k/v need no repeat
     * @param k     [B, KV, S, D]
     * @param v     [B, KV, S, D]
     * @param mask  [B or 1, 1, T, S] additive, or null when every query sees every key
     * @param scale scalar 1/sqrt(D), or null when q is already scaled
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
        NDArray scores = (scale == null ? q : q.mul(scale)).matMul(kT);
        if (mask == null) {
            return scores.softmax(-1).matMul(v);
        }
        NDArray masked = groups == 1 ? scores.add(mask) : scores.reshape(b, kv, groups, t, s).add(mask.expandDims(2));
        NDArray probs = masked.softmax(-1).reshape(b, kv, groups * t, s);
        return probs.matMul(v);
    }
}
