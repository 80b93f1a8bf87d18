package dev.tunelab.tune;

import ai.djl.ndarray.types.DataType;

/**
 * How QLoRA stores the frozen base.
 *
 * @param bits        4 (NF4, blocks of 64) or 8 (absmax int8 per output row)
 * @param doubleQuant 4-bit only: quantise the absmax constants to 8 bits (blocks of 256)
 * @param computeType type the weight is dequantised to: FLOAT32 (default), FLOAT16 (then the matmuls run in fp16:
 *                    {@link TunedModel#qlora} puts the model into {@link Precision#FP16}), FLOAT64 for gradient
 *                    checks. BFLOAT16 is refused: DJL 0.35.1 cannot create bf16 arrays (see {@link Precision}).
 */
public record QuantConfig(int bits, boolean doubleQuant, DataType computeType) {
    public QuantConfig {
        if (bits != 4 && bits != 8) {
            throw new IllegalArgumentException("quantisation bits must be 4 or 8, got " + bits);
        }
        if (computeType == null) {
            computeType = DataType.FLOAT32;
        }
        if (computeType == DataType.BFLOAT16) {
            throw new IllegalArgumentException(Precision.BF16.unavailableReason());
        }
        if (computeType != DataType.FLOAT32 && computeType != DataType.FLOAT16 && computeType != DataType.FLOAT64) {
            throw new IllegalArgumentException("quantisation compute type must be float32, float16 or float64, got "
                    + computeType);
        }
    }

    public static QuantConfig nf4() {
        return new QuantConfig(4, true, DataType.FLOAT32);
    }

    public static QuantConfig int8() {
        return new QuantConfig(8, false, DataType.FLOAT32);
    }
}
