package dev.tunelab.tune;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.util.LinkedHashMap;
import java.util.Map;

/** 8-bit frozen base: absmax int8 per output row ({@code w ≈ q * absmax_row / 127}), dequantised on the fly. */
public final class Int8Kernel implements QuantizedKernel {
    private final NDManager manager;
    private final NDArray codes;   // INT8 [out, in]
    private NDArray scales;        // [out, 1] compute type: absmax / 127
    private final NDArray bias;
    private DataType computeType;
    private final long numel;

    public Int8Kernel(NDManager parent, NDArray weight, NDArray bias, DataType computeType) {
        this.manager = parent.newSubManager();
        this.computeType = computeType;
        long[] shape = weight.getShape().getShape();
        int rows = (int) shape[0];
        int cols = (int) shape[1];
        float[] w = QuantizedKernel.floats(weight);
        byte[] q = new byte[w.length];
        float[] s = new float[rows];
        for (int r = 0; r < rows; r++) {
            float max = 0f;
            for (int c = 0; c < cols; c++) {
                max = Math.max(max, Math.abs(w[r * cols + c]));
            }
            float scale = max == 0f ? 1f : max / 127f;
            s[r] = scale;
            for (int c = 0; c < cols; c++) {
                q[r * cols + c] = (byte) Math.round(w[r * cols + c] / scale);
            }
        }
        this.numel = w.length;
        this.codes = manager.create(q, new Shape(rows, cols));
        this.scales = QuantizedKernel.convert(manager.create(s, new Shape(rows, 1)), computeType);
        this.bias = bias;
    }

    @Override
    public NDArray dequantize(NDManager target) {
        try (NDManager scope = target.newSubManager()) {
            codes.tempAttach(scope);
            scales.tempAttach(scope);
            NDArray w = codes.toType(computeType, false).mul(scales);
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
        scales = QuantizedKernel.convert(scales, t);
        computeType = t;
    }

    @Override
    public long storageBytes() {
        return numel + 4L * scales.size() + (bias == null ? 0 : bias.getDataType().getNumOfBytes() * bias.size());
    }

    @Override
    public long numel() {
        return numel;
    }

    @Override
    public NDArray bias() {
        return bias;
    }

    @Override
    public Map<String, NDArray> tensors() {
        Map<String, NDArray> m = new LinkedHashMap<>();
        m.put("weight.int8", codes);
        m.put("weight.scale", scales);
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
