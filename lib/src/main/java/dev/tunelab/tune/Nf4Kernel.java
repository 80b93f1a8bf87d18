package dev.tunelab.tune;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * QLoRA's frozen base: the weight stored as NF4 codes (two per byte) plus blockwise absmax constants, dequantised
 * for each forward pass with one table lookup: every packed byte indexes a 256 x 2 table of (high, low) code values,
 * which needs no bitwise operations (DJL has none).
 */
public final class Nf4Kernel implements QuantizedKernel {
    private final NDManager manager;
    private final Nf4.Quantized quantized;
    private final NDArray packed;       // INT32 indices would cost 8x the bytes; keep UINT8 and widen per forward
    private NDArray absmax;             // [blocks, 1] compute type (effective, after undoing double quantisation)
    private final NDArray absmaxCodes;  // INT8 [blocks] when double-quantised (the stored form)
    private NDArray lookup;             // [256, 2] compute type
    private final NDArray bias;
    private DataType computeType;

    /**
     * @param parent      manager under which this kernel's storage lives (on the model's device)
     * @param weight      the dense [out, in] weight to quantise (not closed here)
     * @param bias        optional bias, kept as is
     * @param doubleQuant quantise the absmax constants to 8 bits too
     * @param computeType type of the dequantised weight (FLOAT32, FLOAT64 for gradient checks, FLOAT16 in mixed
     *                    precision)
     */
    public Nf4Kernel(NDManager parent, NDArray weight, NDArray bias, boolean doubleQuant, DataType computeType) {
        this.manager = parent.newSubManager();
        this.computeType = computeType;
        float[] w = QuantizedKernel.floats(weight);
        this.quantized = Nf4.quantize(w, weight.getShape().getShape(), doubleQuant);
        this.packed = QuantizedKernel.convert(manager.create(quantized.packed(), new Shape(quantized.packed().length)),
                DataType.UINT8);
        float[] effective = quantized.effectiveAbsmax();
        if (doubleQuant) {
            this.absmaxCodes = manager.create(quantized.absmaxCodes());
        } else {
            this.absmaxCodes = null;
        }
        // The effective absmax is tiny (1/64 of the weights): kept ready in the compute type; storageBytes() counts
        // the stored form (int8 codes + scales with double quantisation), which is what a checkpoint would hold.
        this.absmax = QuantizedKernel.convert(manager.create(effective, new Shape(effective.length, 1)), computeType);
        this.lookup = QuantizedKernel.convert(manager.create(Nf4.byteLookupTable(), new Shape(256, 2)), computeType);
        this.bias = bias;
    }

    public Nf4.Quantized quantized() {
        return quantized;
    }

    @Override
    public NDArray dequantize(NDManager target) {
        try (NDManager scope = target.newSubManager()) {
            packed.tempAttach(scope);
            absmax.tempAttach(scope);
            lookup.tempAttach(scope);
            NDArray index = packed.toType(DataType.INT32, false);
            NDArray pairs = index.getNDArrayInternal().embedding(index, lookup, SparseFormat.DENSE).singletonOrThrow();
            NDArray blocks = pairs.reshape(quantized.blocks(), Nf4.BLOCK).mul(absmax);
            NDArray flat = blocks.reshape(-1);
            long numel = quantized.numel();
            NDArray w = (flat.size() == numel ? flat : flat.get("0:" + numel)).reshape(new Shape(quantized.shape()));
            w.attach(target);
            return w;
        }
    }

    @Override
    public DataType computeType() {
        return computeType;
    }

    @Override
    public void setComputeType(DataType t) {
        absmax = QuantizedKernel.convert(absmax, t);
        lookup = QuantizedKernel.convert(lookup, t);
        computeType = t;
    }

    @Override
    public long storageBytes() {
        return quantized.storageBytes() + (bias == null ? 0 : bias.getDataType().getNumOfBytes() * bias.size());
    }

    @Override
    public long numel() {
        return quantized.numel();
    }

    @Override
    public NDArray bias() {
        return bias;
    }

    @Override
    public Map<String, NDArray> tensors() {
        Map<String, NDArray> m = new LinkedHashMap<>();
        m.put("weight.nf4", packed);
        m.put(absmaxCodes != null ? "weight.absmax_int8" : "weight.absmax", absmaxCodes != null ? absmaxCodes : absmax);
        if (bias != null) {
            m.put("bias", bias);
        }
        return m;
    }

    @Override
    public void close() {
        manager.close();
    }
}
