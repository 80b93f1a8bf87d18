package dev.tunelab.tune;

/**
 * 4-bit NormalFloat (NF4) quantisation from the QLoRA paper (Dettmers et al. 2023, appendix E): each block of
 * {@value #BLOCK} weights is divided by its absolute maximum and every value is replaced by the index of the nearest
 * of 16 code values (quantiles of N(0,1), normalised to [-1, 1], with an exact zero). Two 4-bit codes share a byte,
 * the first in the high nibble (bitsandbytes' layout).
 *
 * <p>Double quantisation stores the per-block absmax constants themselves in 8 bits: the mean is subtracted and the
 * rest is quantised symmetrically per block of {@value #DOUBLE_QUANT_BLOCK} absmax values with one fp32 scale each.
 * (bitsandbytes uses its 8-bit "dynamic" code for this second step; we use a linear int8 code, which keeps the same
 * storage cost: 8 bits per absmax plus one fp32 per 256 blocks.)
 */
public final class Nf4 {
    public static final int BLOCK = 64;
    public static final int DOUBLE_QUANT_BLOCK = 256;

    /** The published NF4 code values, as in the QLoRA paper and bitsandbytes. */
    static final float[] CODE = {
            -1.0f, -0.6961928009986877f, -0.5250730514526367f, -0.39491748809814453f,
            -0.28444138169288635f, -0.18477343022823334f, -0.09105003625154495f, 0.0f,
            0.07958029955625534f, 0.16093020141124725f, 0.24611230194568634f, 0.33791524171829224f,
            0.44070982933044434f, 0.5626170039176941f, 0.7229568362236023f, 1.0f};

    private Nf4() {}

    public static float[] codeBook() {
        return CODE.clone();
    }

    /**
     * The quantised form of one weight matrix.
     *
     * @param packed       two codes per byte, high nibble first; padded to whole blocks (blocks * 32 bytes)
     * @param absmax       fp32 absmax per block (null when double-quantised)
     * @param absmaxCodes  int8 codes of (absmax - absmaxOffset) per block (double quantisation), else null
     * @param absmaxScales fp32 scale per {@value #DOUBLE_QUANT_BLOCK} absmax codes, else null
     * @param absmaxOffset mean of the absmax values (double quantisation)
     */
    public record Quantized(long[] shape, int numel, byte[] packed, float[] absmax, byte[] absmaxCodes,
                            float[] absmaxScales, float absmaxOffset) {
        public boolean doubleQuantized() {
            return absmaxCodes != null;
        }

        public int blocks() {
            return (numel + BLOCK - 1) / BLOCK;
        }

        /** Bytes of the stored form (packed codes + absmax constants). */
        public long storageBytes() {
            long b = packed.length;
            if (doubleQuantized()) {
                b += absmaxCodes.length + 4L * absmaxScales.length + 4;
            } else {
                b += 4L * absmax.length;
            }
            return b;
        }

        /** The absmax per block as used for dequantisation (after undoing double quantisation). */
        public float[] effectiveAbsmax() {
            if (!doubleQuantized()) {
                return absmax.clone();
            }
            float[] out = new float[absmaxCodes.length];
            for (int i = 0; i < out.length; i++) {
                out[i] = absmaxCodes[i] * absmaxScales[i / DOUBLE_QUANT_BLOCK] + absmaxOffset;
            }
            return out;
        }
    }

    /** Index of the code value nearest to {@code x} (ties go to the lower index, like numpy's argmin). */
    static int nearest(float x) {
        int best = 0;
        float bestDist = Math.abs(x - CODE[0]);
        for (int i = 1; i < CODE.length; i++) {
            float d = Math.abs(x - CODE[i]);
            if (d < bestDist) {
                bestDist = d;
                best = i;
            }
        }
        return best;
    }

    /** The 4-bit code of every value (unpacked, one per element), blockwise absmax-normalised. */
    public static byte[] codes(float[] w, float[] absmaxOut) {
        byte[] codes = new byte[w.length];
        int blocks = (w.length + BLOCK - 1) / BLOCK;
        for (int b = 0; b < blocks; b++) {
            int from = b * BLOCK;
            int to = Math.min(w.length, from + BLOCK);
            float max = 0f;
            for (int i = from; i < to; i++) {
                max = Math.max(max, Math.abs(w[i]));
            }
            absmaxOut[b] = max;
            for (int i = from; i < to; i++) {
                float normalised = max == 0f ? 0f : w[i] / max;
                codes[i] = (byte) nearest(normalised);
            }
        }
        return codes;
    }

    public static Quantized quantize(float[] w, long[] shape, boolean doubleQuant) {
        int blocks = (w.length + BLOCK - 1) / BLOCK;
        float[] absmax = new float[blocks];
        byte[] codes = codes(w, absmax);
        byte[] packed = new byte[blocks * BLOCK / 2];
        for (int i = 0; i < w.length; i += 2) {
            int hi = codes[i];
            int lo = i + 1 < w.length ? codes[i + 1] : 0;
            packed[i / 2] = (byte) ((hi << 4) | lo);
        }
        if (!doubleQuant) {
            return new Quantized(shape.clone(), w.length, packed, absmax, null, null, 0f);
        }
        double sum = 0;
        for (float a : absmax) {
            sum += a;
        }
        float offset = (float) (sum / blocks);
        int groups = (blocks + DOUBLE_QUANT_BLOCK - 1) / DOUBLE_QUANT_BLOCK;
        byte[] absCodes = new byte[blocks];
        float[] scales = new float[groups];
        for (int g = 0; g < groups; g++) {
            int from = g * DOUBLE_QUANT_BLOCK;
            int to = Math.min(blocks, from + DOUBLE_QUANT_BLOCK);
            float max = 0f;
            for (int i = from; i < to; i++) {
                max = Math.max(max, Math.abs(absmax[i] - offset));
            }
            float scale = max == 0f ? 1f : max / 127f;
            scales[g] = scale;
            for (int i = from; i < to; i++) {
                absCodes[i] = (byte) Math.round((absmax[i] - offset) / scale);
            }
        }
        return new Quantized(shape.clone(), w.length, packed, null, absCodes, scales, offset);
    }

    /** Java-side dequantisation (reference for tests; the kernel dequantises with NDArray ops). */
    public static float[] dequantize(Quantized q) {
        float[] absmax = q.effectiveAbsmax();
        float[] out = new float[q.numel()];
        for (int i = 0; i < out.length; i++) {
            int b = q.packed()[i / 2] & 0xFF;
            int code = (i % 2 == 0) ? (b >> 4) : (b & 0x0F);
            out[i] = CODE[code] * absmax[i / BLOCK];
        }
        return out;
    }

    /**
     * The 256 x 2 lookup table used for fast dequantisation: row {@code b} holds the code values of the high and low
     * nibble of byte {@code b}.
     */
    static float[] byteLookupTable() {
        float[] lut = new float[512];
        for (int b = 0; b < 256; b++) {
            lut[2 * b] = CODE[b >> 4];
            lut[2 * b + 1] = CODE[b & 0x0F];
        }
        return lut;
    }
}
