package dev.tunelab.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import java.util.LinkedHashMap;

/**
 * A decoder-only language model written in DJL NDArray operations (Llama family, GPT-2), ready for autograd.
 * Parameter names are the Hugging Face checkpoint names, so checkpoints and PEFT adapters map one to one.
 */
public interface CausalLM extends AutoCloseable {
    ModelConfig config();

    /** The manager that owns the parameters. */
    NDManager manager();

    Device device();

    /** Every parameter by its Hugging Face name, in checkpoint order (tied weights listed once). */
    LinkedHashMap<String, NDArray> parameters();

    /** Every linear module by its module path, e.g. "model.layers.0.self_attn.q_proj" (lm_head included). */
    LinkedHashMap<String, Linear> linears();

    /**
     * Logits for each position.
     *
     * @param inputIds      [B, T] int32/int64 token ids
     * @param attentionMask [B, T] 1 for real tokens, 0 for (left) padding; null means all ones
     * @param cache         null for a plain forward; otherwise keys/values are appended and reused
     * @return [B, T, vocab] float32 logits, in the manager of {@code inputIds}
     */
    NDArray forward(NDArray inputIds, NDArray attentionMask, KvCache cache);

    /**
     * Logits of the last position only, [B, vocab]: what each generation step needs. Implementations run the
     * output head on that position alone.
     */
    default NDArray lastLogits(NDArray inputIds, NDArray attentionMask, KvCache cache) {
        return forward(inputIds, attentionMask, cache).get(new ai.djl.ndarray.index.NDIndex(":, -1, :"));
    }

    /** Final hidden states after the last norm, [B, T, hidden]. */
    NDArray hiddenStates(NDArray inputIds, NDArray attentionMask);

    /**
     * Replaces the stored weight (and bias, or null when the module has none) of linear {@code module} by arrays of
     * the same shapes in this model's manager, e.g. a half-precision copy of a frozen weight: the module's base
     * becomes a {@link DenseKernel} over them and {@link #parameters()} reports them (so saving writes them). The old
     * arrays are not closed. A weight shared with another parameter (a tied head) cannot be replaced.
     */
    default void replaceLinearWeights(String module, NDArray weight, NDArray bias) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot replace linear weights");
    }

    /** A fresh, empty key/value cache for this model. */
    KvCache newCache();

    @Override
    void close();
}
