package dev.tunelab.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.util.LinkedHashMap;

/**
 * What the decoder architectures share: parameters by checkpoint name, linear modules by path, the output head,
 * and the three ways to run the stack (all logits, last-position logits, hidden states). An architecture supplies
 * {@link #decode}, which returns the final hidden states as [B*T, hidden].
 */
abstract class Decoder implements CausalLM {
    protected final NDManager manager;
    protected final NDArray one;
    protected final NDArray big;
    private final LinkedHashMap<String, NDArray> parameters = new LinkedHashMap<>();
    private final LinkedHashMap<String, Linear> linears = new LinkedHashMap<>();

    protected Decoder(NDManager manager) {
        this.manager = manager;
        this.one = manager.create(1f);
        this.big = manager.create(1e9f);
    }

    /** Final hidden states [B*T, hidden] of the stack; appends to {@code cache} when it is not null. */
    protected abstract NDArray decode(NDArray inputIds, Attention.Layout layout, DecoderCache cache);

    protected abstract Linear lmHead();

    /** Positions the model can attend over (its position table's length). */
    protected abstract int positionLimit();

    @Override
    public NDManager manager() {
        return manager;
    }

    @Override
    public Device device() {
        return manager.getDevice();
    }

    @Override
    public LinkedHashMap<String, NDArray> parameters() {
        return new LinkedHashMap<>(parameters);
    }

    @Override
    public LinkedHashMap<String, Linear> linears() {
        return new LinkedHashMap<>(linears);
    }

    /** Checks name, shapes and ownership, then swaps the arrays in the module and in {@link #parameters()}. */
    @Override
    public void replaceLinearWeights(String module, NDArray weight, NDArray bias) {
        Linear l = linears.get(module);
        if (l == null) {
            throw new IllegalArgumentException("no linear named '" + module + "'");
        }
        DenseKernel old = l.base();
        if (old == null || parameters.get(module + ".weight") != old.weight()) {
            throw new IllegalArgumentException(module + ": its weight is not a dense parameter of its own (tied or "
                    + "replaced), it cannot be swapped");
        }
        if (!weight.getShape().equals(old.weight().getShape()) || (bias == null) != (old.bias() == null)
                || (bias != null && !bias.getShape().equals(old.bias().getShape()))) {
            throw new IllegalArgumentException(module + ": replacement shapes " + weight.getShape() + " / "
                    + (bias == null ? "no bias" : bias.getShape()) + " differ from the module's");
        }
        parameters.put(module + ".weight", weight);
        if (bias != null) {
            parameters.put(module + ".bias", bias);
        }
        l.replaceBase(new DenseKernel(weight, bias));
    }

    @Override
    public KvCache newCache() {
        return new DecoderCache(manager, config().numLayers());
    }

    @Override
    public NDArray forward(NDArray inputIds, NDArray attentionMask, KvCache cache) {
        Attention.Layout layout = layout(inputIds, attentionMask, cache);
        return lmHead().forward(decode(inputIds, layout, (DecoderCache) cache))
                .reshape(layout.batch(), layout.queries(), config().vocabSize());
    }

    @Override
    public NDArray lastLogits(NDArray inputIds, NDArray attentionMask, KvCache cache) {
        Attention.Layout layout = layout(inputIds, attentionMask, cache);
        return lmHead().forward(layout.lastRows(decode(inputIds, layout, (DecoderCache) cache)));
    }

    @Override
    public NDArray hiddenStates(NDArray inputIds, NDArray attentionMask) {
        Attention.Layout layout = layout(inputIds, attentionMask, null);
        return decode(inputIds, layout, null).reshape(layout.batch(), layout.queries(), config().hiddenSize());
    }

    private Attention.Layout layout(NDArray inputIds, NDArray attentionMask, KvCache cache) {
        return Attention.layout(inputIds, attentionMask, (DecoderCache) cache, one, big, positionLimit());
    }

    /** Takes a checkpoint tensor as a parameter under its checkpoint name. */
    protected NDArray param(Checkpoint ckpt, String name, long... shape) {
        return register(name, ckpt.take(name, new Shape(shape)));
    }

    protected NDArray register(String name, NDArray tensor) {
        parameters.put(name, tensor);
        return tensor;
    }

    protected Linear register(Linear linear) {
        linears.put(linear.name(), linear);
        return linear;
    }

    static NDArray lookup(NDArray ids, NDArray table) {
        return ai.djl.nn.core.Embedding.embedding(ids, table, ai.djl.ndarray.types.SparseFormat.DENSE)
                .singletonOrThrow();
    }

    @Override
    public void close() {
        manager.close();
    }
}
