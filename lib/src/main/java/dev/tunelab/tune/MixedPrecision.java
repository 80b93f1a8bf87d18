package dev.tunelab.tune;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.tunelab.model.CausalLM;
import dev.tunelab.model.DenseKernel;
import dev.tunelab.model.Linear;
import dev.tunelab.model.LinearKernel;

import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Puts every linear of a model into mixed precision ({@link MixedPrecisionKernel}), the way a Hugging Face user
 * loads the base in half precision and trains under autocast:
 * <ul>
 *   <li>a frozen linear that owns its weight: the weight (and bias) are replaced by half-precision copies in the
 *   model ({@link CausalLM#replaceLinearWeights}) and the fp32 arrays are freed, so its bytes halve;</li>
 *   <li>a trainable linear (full fine-tuning, the trained blocks of freeze) or one whose weight is shared (a head
 *   tied to the embedding, which the embedding lookup still reads in fp32): the fp32 array stays the master and is
 *   cast down on every forward;</li>
 *   <li>a quantised base (QLoRA): it dequantises into the compute type from now on.</li>
 * </ul>
 * LoRA kernels keep their fp32 adapters and get the wrapped base, so the adapter branch runs in fp32 on fp32
 * activations (PEFT's default {@code autocast_adapter_dtype=True} keeps adapters in fp32 too).
 */
final class MixedPrecision {
    private MixedPrecision() {}

    /** The precision a model's linears are in: that of its mixed-precision kernels, else FP32. */
    static Precision detect(CausalLM model) {
        for (Linear l : model.linears().values()) {
            if (l.baseKernel() instanceof MixedPrecisionKernel mp) {
                return Precision.of(mp.computeType());
            }
        }
        return Precision.FP32;
    }

    /**
     * Refuses (IllegalArgumentException, one line) a change from {@code current} to {@code wanted} that cannot run:
     * bf16 (DJL), going back from half precision (the fp32 frozen weights are gone), or non-fp32 weights.
     */
    static void check(CausalLM model, Precision current, Precision wanted) {
        wanted.requireAvailable();
        if (wanted == current) {
            return;
        }
        if (current != Precision.FP32 || wanted == Precision.FP32) {
            throw new IllegalArgumentException("the model is already in " + current.id() + " mixed precision (frozen "
                    + "weights stored in " + current.id() + "); train it in " + current.id() + " or reload it for "
                    + wanted.id());
        }
        for (Map.Entry<String, NDArray> e : model.parameters().entrySet()) {
            if (!e.getValue().isReleased() && e.getValue().getDataType() != DataType.FLOAT32) {
                throw new IllegalArgumentException("precision " + wanted.id() + " needs fp32 weights, but " + e.getKey()
                        + " is " + e.getValue().getDataType());
            }
        }
    }

    /**
     * @param trainable the tensors that train (identity matters: they keep fp32 storage)
     * @param lora      LoRA kernels by module name (their base is swapped for the wrapped one)
     */
    static void apply(CausalLM model, Collection<NDArray> trainable, Map<String, LoraKernel> lora, DataType type) {
        Map<NDArray, Boolean> trains = new IdentityHashMap<>();
        trainable.forEach(p -> trains.put(p, true));
        Map<String, NDArray> params = model.parameters();
        for (Map.Entry<String, Linear> e : model.linears().entrySet()) {
            String name = e.getKey();
            Linear linear = e.getValue();
            LinearKernel base = linear.baseKernel();
            if (base instanceof MixedPrecisionKernel) {
                continue;
            }
            if (base instanceof QuantizedKernel q) {
                q.setComputeType(type);
            } else if (base instanceof DenseKernel d) {
                boolean owned = params.get(name + ".weight") == d.weight();
                boolean trained = trains.containsKey(d.weight()) || (d.bias() != null && trains.containsKey(d.bias()));
                if (owned && !trained) {
                    base = storeInHalf(model, name, d, type);
                }
            } else {
                throw new IllegalStateException(name + ": cannot put a " + base.getClass().getSimpleName()
                        + " base into mixed precision");
            }
            MixedPrecisionKernel mp = new MixedPrecisionKernel(base, type);
            linear.replaceBase(mp);
            LoraKernel k = lora.get(name);
            if (k != null) {
                k.setBase(mp);
            }
        }
    }

    /** Swaps a frozen dense weight (and bias) for copies in {@code type} owned by the model; frees the fp32 ones. */
    private static LinearKernel storeInHalf(CausalLM model, String name, DenseKernel d, DataType type) {
        NDArray w = d.weight().toType(type, true);
        NDArray b = d.bias() == null ? null : d.bias().toType(type, true);
        model.replaceLinearWeights(name, w, b);
        d.weight().close();
        if (d.bias() != null) {
            d.bias().close();
        }
        return model.linears().get(name).baseKernel();
    }
}
