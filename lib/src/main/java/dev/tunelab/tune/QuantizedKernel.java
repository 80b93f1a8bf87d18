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

    @Override
    default NDArray forward(NDArray x) {
        NDArray w = dequantize(x.getManager());
        try {
            return x.getNDArrayInternal().linear(x, w, bias()).singletonOrThrow();
        } finally {
            w.close();
        }
    }

    @Override
    void close();
}
