package dev.tunelab.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * Keys and values of every layer, [B, kvHeads, S, headDim], plus the attention mask of the cached positions [B, S].
 * Owns its arrays in its own manager; growing a layer closes the previous, shorter arrays.
 */
public final class DecoderCache implements KvCache {
    private final NDManager manager;
    private final NDArray[] keys;
    private final NDArray[] values;
    private NDArray mask;
    private int length;

    DecoderCache(NDManager parent, int layers) {
        this.manager = parent.newSubManager();
        this.keys = new NDArray[layers];
        this.values = new NDArray[layers];
    }

    @Override
    public int length() {
        return length;
    }

    /** The mask of cached positions [B, S], or null when empty. */
    NDArray mask() {
        return mask;
    }

    /** Keys and mask of all positions after appending the new ones (mask [B, T]). */
    NDArray appendMask(NDArray newMask) {
        NDArray grown = mask == null ? newMask.duplicate() : mask.concat(newMask, 1);
        grown.attach(manager);
        if (mask != null) {
            mask.close();
        }
        mask = grown;
        return grown;
    }

    /** Appends this step's keys/values of one layer and returns all of them (owned by the cache). */
    NDArray[] append(int layer, NDArray k, NDArray v) {
        keys[layer] = grow(keys[layer], k);
        values[layer] = grow(values[layer], v);
        return new NDArray[] {keys[layer], values[layer]};
    }

    /** Call once per forward, after every layer appended. */
    void advance(int newPositions) {
        length += newPositions;
    }

    private NDArray grow(NDArray old, NDArray add) {
        if (old == null) {
            NDArray copy = add.duplicate();
            copy.attach(manager);
            return copy;
        }
        NDArray grown = old.concat(add, 2);
        old.close();
        return grown;
    }

    @Override
    public void close() {
        manager.close();
    }
}
