package dev.tunelab.model;

import ai.djl.ndarray.NDArray;

/**
 * A named linear module of a model ("model.layers.0.self_attn.q_proj"), the unit LoRA/QLoRA target. Its kernel
 * is replaceable so fine-tuning can wrap it; the original dense kernel stays reachable through {@link #base()}.
 */
public final class Linear {
    private final String name;
    private final int inFeatures;
    private final int outFeatures;
    private final DenseKernel base;
    private LinearKernel kernel;

    public Linear(String name, NDArray weight, NDArray bias) {
        this.name = name;
        long[] shape = weight.getShape().getShape();
        this.outFeatures = (int) shape[0];
        this.inFeatures = (int) shape[1];
        this.base = new DenseKernel(weight, bias);
        this.kernel = base;
    }

    public String name() {
        return name;
    }

    public int inFeatures() {
        return inFeatures;
    }

    public int outFeatures() {
        return outFeatures;
    }

    public DenseKernel base() {
        return base;
    }

    public LinearKernel kernel() {
        return kernel;
    }

    public void setKernel(LinearKernel kernel) {
        this.kernel = kernel == null ? base : kernel;
    }

    public NDArray forward(NDArray x) {
        return kernel.forward(x);
    }
}
