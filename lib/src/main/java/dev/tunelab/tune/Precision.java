package dev.tunelab.tune;

import java.util.Locale;

/**
 * Training precision. FP32 everywhere is the only mode implemented. BF16 / FP16 (frozen base weights and their
 * matmuls in half precision, trainable adapters and AdamW state in fp32) are accepted by the builder only as a
 * request: on CPU they are refused with a clear error (PyTorch CPU half-precision matmuls are slow and not what
 * users want); on a GPU they are refused too until the cast path is written and verified on a GPU.
 */
public enum Precision {
    FP32, BF16, FP16;

    public static Precision parse(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "fp32", "float32", "f32" -> FP32;
            case "bf16", "bfloat16" -> BF16;
            case "fp16", "float16", "f16", "half" -> FP16;
            default -> throw new IllegalArgumentException("precision must be fp32|bf16|fp16, got '" + s + "'");
        };
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
