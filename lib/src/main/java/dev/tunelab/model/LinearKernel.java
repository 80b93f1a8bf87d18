package dev.tunelab.model;

import ai.djl.ndarray.NDArray;

/**
 * How a {@link Linear} computes {@code y = x W^T + b}. The model ships {@link DenseKernel}; fine-tuning swaps in
 * kernels that add a LoRA branch or keep the base weight quantised, without the model knowing about them.
 */
public interface LinearKernel {
    /** x: [..., in] → [..., out]. */
    NDArray forward(NDArray x);

    /** The weights this kernel trains or holds, by suffix (e.g. "weight", "bias", "lora_A.weight"). */
    java.util.Map<String, NDArray> tensors();
}
