package dev.tunelab.tune;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tunelab.model.LinearKernel;

/** A frozen base weight kept in a compact integer form and dequantised on the fly for each forward pass. */
public interface QuantizedKernel extends LinearKernel, AutoCloseable {
    /** The dense weight [out, in] in the compute type, owned by {@code target}. */
    NDArray dequantize(NDManager target);

    /** Bytes held by the stored (quantised) form, bias included. */
    long storageBytes();

    /** Number of weights represented. */
    long numel();

    NDArray bias();

    /** Type the weight is dequantised into. */
    ai.djl.ndarray.types.DataType computeType();

    /** Dequantise into {@code t} from now on (converts the small per-block constants; the codes stay as stored). */
    void setComputeType(ai.djl.ndarray.types.DataType t);

    /** A (frozen) bias in another type than the weight is cast per forward; it is tiny. */
    @Override
    default NDArray forward(NDArray x) {
        NDArray w = dequantize(x.getManager());
        NDArray b = bias();
        NDArray cast = b != null && b.getDataType() != w.getDataType() ? b.toType(w.getDataType(), false) : null;
        try {
            return x.getNDArrayInternal().linear(x, w, cast != null ? cast : b).singletonOrThrow();
        } finally {
            w.close();
            if (cast != null) {
                cast.close();
            }
        }
    }

    @Override
    void close();

    /** {@code a} in type {@code t}; when a conversion happens the original is closed (no stray copies). */
    static NDArray convert(NDArray a, ai.djl.ndarray.types.DataType t) {
        if (a.getDataType() == t) {
            return a;
        }
        NDArray c = a.toType(t, false);
        a.close();
        return c;
    }

    /** The weight's values as Java floats, without leaving a converted copy in the weight's manager. */
    static float[] floats(NDArray weight) {
        if (weight.getDataType() == ai.djl.ndarray.types.DataType.FLOAT32) {
            return weight.toFloatArray();
        }
        try (NDArray c = weight.toType(ai.djl.ndarray.types.DataType.FLOAT32, true)) {
            return c.toFloatArray();
        }
    }
}
