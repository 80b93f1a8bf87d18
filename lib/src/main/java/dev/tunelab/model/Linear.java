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
    private DenseKernel base;
    private LinearKernel baseKernel;
    private LinearKernel kernel;

    public Linear(String name, NDArray weight, NDArray bias) {
        this.name = name;
        long[] shape = weight.getShape().getShape();
        this.outFeatures = (int) shape[0];
        this.inFeatures = (int) shape[1];
        this.base = new DenseKernel(weight, bias);
        this.baseKernel = base;
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

    /** The dense base kernel; null once {@link #replaceBase} swapped in a non-dense (e.g. quantised) base. */
    public DenseKernel base() {
        return base;
    }

    /** The frozen base computation: the dense kernel unless {@link #replaceBase} replaced it. */
    public LinearKernel baseKernel() {
        return baseKernel;
    }

    /**
     * Replaces the base computation (e.g. by a 4-bit quantised copy of the weight). A kernel that was the plain base
     * follows the replacement. The old dense weight is not closed here: its owner decides (QLoRA closes it).
     */
    public void replaceBase(LinearKernel newBase) {
        if (newBase == null) {
            throw new IllegalArgumentException("newBase must not be null");
        }
        boolean plain = kernel == baseKernel;
        baseKernel = newBase;
        base = newBase instanceof DenseKernel dense ? dense : null;
        if (plain) {
            kernel = newBase;
        }
    }

    public LinearKernel kernel() {
        return kernel;
    }

    public void setKernel(LinearKernel kernel) {
        this.kernel = kernel == null ? baseKernel : kernel;
    }

    public NDArray forward(NDArray x) {
        return kernel.forward(x);
    }
}
