package dev.tunelab.tune;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.tunelab.model.DjlSetup;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Nf4Test {
    @BeforeAll
    static void setup() {
        DjlSetup.ensure();
    }

    static float[] gaussian(int n, long seed) {
        Random r = new Random(seed);
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            w[i] = (float) (r.nextGaussian() * 0.02);
        }
        return w;
    }

    @Test
    void codeBookIsThePublishedNf4() {
        // QLoRA paper (Dettmers et al. 2023), Appendix E, NF4 data type values.
        float[] published = {-1.0f, -0.6961928009986877f, -0.5250730514526367f, -0.39491748809814453f,
                -0.28444138169288635f, -0.18477343022823334f, -0.09105003625154495f, 0.0f, 0.07958029955625534f,
                0.16093020141124725f, 0.24611230194568634f, 0.33791524171829224f, 0.44070982933044434f,
                0.5626170039176941f, 0.7229568362236023f, 1.0f};
        assertArrayEquals(published, Nf4.codeBook());
    }

    @Test
    void codesMatchANumpyReferenceQuantiserExactly(@TempDir Path tmp) throws Exception {
        float[] w = gaussian(64 * 300 + 17, 7);
        Py.writeFloats(tmp.resolve("w.bin"), w);
        String script = """
                import numpy as np, sys
                code = np.array([-1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453,
                  -0.28444138169288635, -0.18477343022823334, -0.09105003625154495, 0.0, 0.07958029955625534,
                  0.16093020141124725, 0.24611230194568634, 0.33791524171829224, 0.44070982933044434,
                  0.5626170039176941, 0.7229568362236023, 1.0], dtype=np.float32)
                w = np.fromfile(sys.argv[1], dtype='<f4')
                n = w.size; pad = (-n) % 64
                wp = np.concatenate([w, np.zeros(pad, np.float32)]).reshape(-1, 64)
                absmax = np.abs(wp).max(axis=1).astype(np.float32)
                norm = (wp / absmax[:, None]).astype(np.float32)
                codes = np.abs(norm[:, :, None] - code[None, None, :]).argmin(axis=2).reshape(-1)[:n]
                codes.astype(np.uint8).tofile(sys.argv[2])
                absmax.tofile(sys.argv[3])
                deq = (code[codes] * np.repeat(absmax, 64)[:n]).astype(np.float32)
                err = np.sqrt(((deq - w) ** 2).mean()) / np.sqrt((w ** 2).mean())
                print(err)
                """;
        String out = Py.run(script, tmp, tmp.resolve("w.bin").toString(), tmp.resolve("codes.bin").toString(),
                tmp.resolve("absmax.bin").toString());
        byte[] refCodes = Files.readAllBytes(tmp.resolve("codes.bin"));
        float[] refAbsmax = Py.readFloats(tmp.resolve("absmax.bin"));
        float[] absmax = new float[(w.length + 63) / 64];
        byte[] codes = Nf4.codes(w, absmax);
        assertArrayEquals(refCodes, codes);
        assertArrayEquals(refAbsmax, absmax);
        double refErr = Double.parseDouble(out.strip().lines().reduce((a, b) -> b).orElseThrow());
        float[] deq = Nf4.dequantize(Nf4.quantize(w, new long[]{w.length}, false));
        double ours = relativeRmse(w, deq);
        assertEquals(refErr, ours, 1e-6);
    }

    static double relativeRmse(float[] w, float[] q) {
        double se = 0;
        double ss = 0;
        for (int i = 0; i < w.length; i++) {
            se += (w[i] - q[i]) * (double) (w[i] - q[i]);
            ss += w[i] * (double) w[i];
        }
        return Math.sqrt(se / ss);
    }

    @Test
    void roundTripErrorOnGaussianWeightsBeatsUniformInt4() {
        float[] w = gaussian(64 * 4096, 11);
        double nf4 = relativeRmse(w, Nf4.dequantize(Nf4.quantize(w, new long[]{w.length}, false)));
        // Uniform symmetric 4-bit absmax quantisation (levels -7..7) with the same blocks of 64.
        float[] uni = new float[w.length];
        for (int b = 0; b < w.length / 64; b++) {
            float max = 0;
            for (int i = b * 64; i < b * 64 + 64; i++) {
                max = Math.max(max, Math.abs(w[i]));
            }
            for (int i = b * 64; i < b * 64 + 64; i++) {
                uni[i] = Math.round(w[i] / max * 7) / 7f * max;
            }
        }
        double int4 = relativeRmse(w, uni);
        // NF4 is information-theoretically optimal for normal weights: lower error than int4 (QLoRA, section 3).
        assertTrue(nf4 < int4, "nf4 " + nf4 + " vs int4 " + int4);
        assertTrue(nf4 > 0.05 && nf4 < 0.12, "relative RMSE of NF4 on N(0, s) blocks of 64: " + nf4);
    }

    @Test
    void lookupTableDequantisationEqualsReferenceAndStorageIsSmall() {
        float[] w = gaussian(96 * 128, 3);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray weight = m.create(w, new Shape(96, 128));
            for (boolean dq : new boolean[]{false, true}) {
                try (Nf4Kernel k = new Nf4Kernel(m, weight, null, dq, DataType.FLOAT32)) {
                    float[] ref = Nf4.dequantize(k.quantized());
                    NDArray deq = k.dequantize(m);
                    assertEquals(new Shape(96, 128), deq.getShape());
                    assertArrayEquals(ref, deq.toFloatArray());
                    double ratio = k.storageBytes() / (4.0 * w.length);
                    assertTrue(ratio <= (dq ? 0.135 : 0.16), "bytes ratio " + ratio);
                    assertTrue(relativeRmse(w, ref) < 0.12);
                }
            }
        }
    }

    @Test
    void doubleQuantisedAbsmaxStaysClose() {
        float[] w = gaussian(64 * 1000, 5);
        Nf4.Quantized single = Nf4.quantize(w, new long[]{w.length}, false);
        Nf4.Quantized dbl = Nf4.quantize(w, new long[]{w.length}, true);
        float[] a = single.effectiveAbsmax();
        float[] b = dbl.effectiveAbsmax();
        double maxRel = 0;
        for (int i = 0; i < a.length; i++) {
            maxRel = Math.max(maxRel, Math.abs(a[i] - b[i]) / a[i]);
        }
        assertTrue(maxRel < 0.02, "double quantisation relative absmax error " + maxRel);
        assertArrayEquals(single.packed(), dbl.packed());
    }

    @Test
    void int8KernelRoundTrip() {
        float[] w = gaussian(64 * 256, 9);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray weight = m.create(w, new Shape(64, 256));
            try (Int8Kernel k = new Int8Kernel(m, weight, null, DataType.FLOAT32)) {
                float[] deq = k.dequantize(m).toFloatArray();
                for (int r = 0; r < 64; r++) {
                    float max = 0;
                    for (int c = 0; c < 256; c++) {
                        max = Math.max(max, Math.abs(w[r * 256 + c]));
                    }
                    for (int c = 0; c < 256; c++) {
                        assertTrue(Math.abs(deq[r * 256 + c] - w[r * 256 + c]) <= max / 127 / 2 * 1.0001);
                    }
                }
                assertTrue(k.storageBytes() / (4.0 * w.length) < 0.26);
            }
        }
    }
}
