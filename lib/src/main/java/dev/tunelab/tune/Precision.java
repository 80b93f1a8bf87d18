package dev.tunelab.tune;

import ai.djl.ndarray.types.DataType;

import java.util.Locale;

/**
 * Training precision, in the sense of torch autocast + a half-precision frozen base: with {@link #FP16} every
 * linear's matmul runs in half precision (input cast down, output cast back to fp32), frozen base weights are stored
 * in half precision, trainable tensors and AdamW state stay fp32, norms / softmax / loss run in fp32, and the loss is
 * scaled dynamically ({@link LossScaler}). See {@link MixedPrecisionKernel}.
 *
 * <p>{@link #BF16} is declared but not available: DJL 0.35.1's PyTorch JNI maps no dtype code to torch.bfloat16
 * ({@code GetScalarTypeFromDType} stops at bool/complex64), so creating or casting to a {@code DataType.BFLOAT16}
 * array executes a bare C++ {@code throw;} and aborts the JVM ("terminate called without an active exception"),
 * on any device. It is refused before anything touches DJL.
 */
public enum Precision {
    FP32(DataType.FLOAT32), BF16(DataType.BFLOAT16), FP16(DataType.FLOAT16);

    private final DataType computeType;

    Precision(DataType computeType) {
        this.computeType = computeType;
    }

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

    /** Type of the matmuls and of the stored frozen weights. */
    public DataType computeType() {
        return computeType;
    }

    /** fp16 needs dynamic loss scaling (its range ends at 65504 and its smallest normal is 6.1e-5); bf16 would not. */
    public boolean needsLossScaling() {
        return this == FP16;
    }

    /** Null when this precision runs; else the one-line reason it cannot. */
    public String unavailableReason() {
        return this == BF16 ? "precision bf16 is not available: DJL 0.35.1's PyTorch binding has no bfloat16 dtype "
                + "(creating a bf16 array aborts the process), on CPU and GPU alike; use fp16 (same mixed-precision "
                + "path, with loss scaling) or fp32" : null;
    }

    /** Throws IllegalArgumentException with {@link #unavailableReason()} when this precision cannot run. */
    public Precision requireAvailable() {
        String why = unavailableReason();
        if (why != null) {
            throw new IllegalArgumentException(why);
        }
        return this;
    }

    /** The precision whose compute type is {@code t} (FLOAT32, FLOAT16, BFLOAT16), else null. */
    static Precision of(DataType t) {
        for (Precision p : values()) {
            if (p.computeType == t) {
                return p;
            }
        }
        return null;
    }
}
