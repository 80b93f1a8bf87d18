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
        // One fused native op (torch.nn.functional.linear); the result lands in x's manager, none in the weight's.
        return bias == null ? ai.djl.nn.core.Linear.linear(x, weight).singletonOrThrow()
                : ai.djl.nn.core.Linear.linear(x, weight, bias).singletonOrThrow();
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
