package dev.tunelab.rag;

/**
 * The inner loops of {@link VectorIndex}: plain Java with independent accumulators, which HotSpot turns into
 * pipelined (and partly vectorised) code. Kept separate so each stays small enough to be compiled well.
 */
final class Kernels {
    private Kernels() {}

    /** Dot product of {@code q} with row {@code x[o .. o+d)}, eight partial sums (d need not be a multiple of 8). */
    static float dot(float[] q, float[] x, int o, int d) {
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        int j = 0;
        for (; j + 7 < d; j += 8) {
            s0 += q[j] * x[o + j];
            s1 += q[j + 1] * x[o + j + 1];
            s2 += q[j + 2] * x[o + j + 2];
            s3 += q[j + 3] * x[o + j + 3];
            s4 += q[j + 4] * x[o + j + 4];
            s5 += q[j + 5] * x[o + j + 5];
            s6 += q[j + 6] * x[o + j + 6];
            s7 += q[j + 7] * x[o + j + 7];
        }
        for (; j < d; j++) {
            s0 += q[j] * x[o + j];
        }
        return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
    }

    /** Scores rows [from, to) against one query into {@code top}, skipping rows whose mask is false. */
    static void scan(float[] q, float[] x, int d, int from, int to, boolean[] pass, TopK top) {
        float threshold = top.threshold();
        for (int r = from; r < to; r++) {
            if (pass != null && !pass[r]) {
                continue;
            }
            float s = dot(q, x, r * d, d);
            if (s >= threshold) {
                top.offer(s, r);
                threshold = top.threshold();
            }
        }
    }

    /**
     * scores[(i - q0) * stride + (r - r0)] = q_i · x_r for queries [q0, q1) and rows [r0, r1).
     * Two queries × four rows per step share every load (eight accumulators).
     */
    static void block(float[] q, int q0, int q1, float[] x, int r0, int r1, int d, float[] scores, int stride) {
        int i = q0;
        for (; i + 1 < q1; i += 2) {
            int qa = i * d;
            int qb = qa + d;
            int outA = (i - q0) * stride;
            int outB = outA + stride;
            int r = r0;
            for (; r + 3 < r1; r += 4) {
                int o0 = r * d;
                int o1 = o0 + d;
                int o2 = o1 + d;
                int o3 = o2 + d;
                float a0 = 0, a1 = 0, a2 = 0, a3 = 0, b0 = 0, b1 = 0, b2 = 0, b3 = 0;
                for (int j = 0; j < d; j++) {
                    float x0 = x[o0 + j], x1 = x[o1 + j], x2 = x[o2 + j], x3 = x[o3 + j];
                    float va = q[qa + j], vb = q[qb + j];
                    a0 += va * x0;
                    a1 += va * x1;
                    a2 += va * x2;
                    a3 += va * x3;
                    b0 += vb * x0;
                    b1 += vb * x1;
                    b2 += vb * x2;
                    b3 += vb * x3;
                }
                int c = r - r0;
                scores[outA + c] = a0;
                scores[outA + c + 1] = a1;
                scores[outA + c + 2] = a2;
                scores[outA + c + 3] = a3;
                scores[outB + c] = b0;
                scores[outB + c + 1] = b1;
                scores[outB + c + 2] = b2;
                scores[outB + c + 3] = b3;
            }
            for (; r < r1; r++) {
                scores[outA + r - r0] = dotAt(q, qa, x, r * d, d);
                scores[outB + r - r0] = dotAt(q, qb, x, r * d, d);
            }
        }
        if (i < q1) {
            int qa = i * d;
            int outA = (i - q0) * stride;
            for (int r = r0; r < r1; r++) {
                scores[outA + r - r0] = dotAt(q, qa, x, r * d, d);
            }
        }
    }

    /** Dot product of q[qo .. qo+d) with x[o .. o+d). */
    static float dotAt(float[] q, int qo, float[] x, int o, int d) {
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int j = 0;
        for (; j + 3 < d; j += 4) {
            s0 += q[qo + j] * x[o + j];
            s1 += q[qo + j + 1] * x[o + j + 1];
            s2 += q[qo + j + 2] * x[o + j + 2];
            s3 += q[qo + j + 3] * x[o + j + 3];
        }
        for (; j < d; j++) {
            s0 += q[qo + j] * x[o + j];
        }
        return (s0 + s1) + (s2 + s3);
    }
}
