package dev.tunelab.model;

import ai.djl.ndarray.NDArray;

import java.util.LinkedHashMap;
import java.util.Map;

/** The plain dense kernel: weight [out, in] as in Hugging Face checkpoints, optional bias [out]. */
public final class DenseKernel implements LinearKernel {
    private final NDArray weight;
    private final NDArray bias;

    public DenseKernel(NDArray weight, NDArray bias) {
        this.weight = weight;
        this.bias = bias;
    }

    public NDArray weight() {
        return weight;
    }

    public NDArray bias() {
        return bias;
    }

    @Override
    public NDArray forward(NDArray x) {
        NDArray y = x.matMul(weight.transpose());
        return bias == null ? y : y.add(bias);
    }

    @Override
    public Map<String, NDArray> tensors() {
        Map<String, NDArray> m = new LinkedHashMap<>();
        m.put("weight", weight);
        if (bias != null) {
            m.put("bias", bias);
        }
        return m;
    }
}
