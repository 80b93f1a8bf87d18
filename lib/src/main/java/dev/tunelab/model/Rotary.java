package dev.tunelab.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Rotary position embeddings (Su et al. 2021) in the "rotate half" layout of Hugging Face Llama checkpoints:
 * x' = x cos + rotate_half(x) sin, rotate_half([x1, x2]) = [-x2, x1].
 */
final class Rotary {
    /** Long-context models (Llama 3: 131072) would need 128 MB of tables; TuneLab's contexts are far shorter. */
    static final int MAX_TABLE_POSITIONS = 16384;

    private Rotary() {}

    /** Inverse frequencies theta^(-2i/d), with Llama-3 scaling of the low frequencies when configured. */
    static double[] inverseFrequencies(LlamaConfig config) {
        int d = config.headDim();
        double[] inv = new double[d / 2];
        for (int i = 0; i < inv.length; i++) {
            inv[i] = 1.0 / Math.pow(config.ropeTheta(), (2.0 * i) / d);
        }
        LlamaConfig.RopeScaling s = config.ropeScaling();
        if (s != null) {
            double lowWavelen = s.originalMaxPositions() / s.lowFreqFactor();
            double highWavelen = s.originalMaxPositions() / s.highFreqFactor();
            for (int i = 0; i < inv.length; i++) {
                double wavelen = 2 * Math.PI / inv[i];
                if (wavelen > lowWavelen) {
                    inv[i] = inv[i] / s.factor();
                } else if (wavelen >= highWavelen) {
                    double smooth = (s.originalMaxPositions() / wavelen - s.lowFreqFactor())
                            / (s.highFreqFactor() - s.lowFreqFactor());
                    inv[i] = (1 - smooth) * inv[i] / s.factor() + smooth * inv[i];
                }
            }
        }
        return inv;
    }

    /**
     * One table [maxPositions, 4 * headDim] holding, per position, cos and sign-folded sin for keys, then the same
     * two multiplied by {@code queryScale} for queries. The sin part holds [-sin, sin] so that rotation is
     * x cos + swap_halves(x) sin, one negation fewer per call; folding the attention scale 1/sqrt(d) into the
     * query angles saves a multiplication per layer. One slice of rows (a lookup when rows are padded) per forward
     * fetches all four.
     */
    static NDArray table(NDManager manager, LlamaConfig config, double queryScale) {
        double[] inv = inverseFrequencies(config);
        int d = config.headDim();
        int half = d / 2;
        int n = Math.min(config.maxPositions(), MAX_TABLE_POSITIONS);
        float[] t = new float[n * 4 * d];
        for (int p = 0; p < n; p++) {
            int row = p * 4 * d;
            for (int i = 0; i < half; i++) {
                double angle = p * inv[i];
                double c = Math.cos(angle);
                double s = Math.sin(angle);
                double[] values = {c, c, -s, s, c * queryScale, c * queryScale, -s * queryScale, s * queryScale};
                for (int part = 0; part < 4; part++) {
                    t[row + part * d + i] = (float) values[2 * part];
                    t[row + part * d + half + i] = (float) values[2 * part + 1];
                }
            }
        }
        return manager.create(t, new Shape(n, 4L * d));
    }

    /**
     * Rotation angles for the positions of one forward pass, each [B or 1, 1, T, D]: broadcast over heads in the
     * heads-first layout [B, heads, T, D].
     */
    record Angles(NDArray keyCos, NDArray keySin, NDArray queryCos, NDArray querySin) {
        /** @param rows the table's rows for the queries, [T, 4D] or [B, T, 4D] */
        static Angles of(NDArray rows, int batch, int t) {
            NDList parts = rows.reshape(batch, 1, t, -1).split(4, 3);
            return new Angles(parts.get(0), parts.get(1), parts.get(2), parts.get(3));
        }
    }

    /** The permutation matrix [D, D] with x · P = [x2, x1] for x = [x1, x2]. */
    static NDArray swapHalves(NDManager manager, int d) {
        float[] p = new float[d * d];
        for (int i = 0; i < d / 2; i++) {
            p[(i + d / 2) * d + i] = 1f;
            p[i * d + i + d / 2] = 1f;
        }
        return manager.create(p, new Shape(d, d));
    }

    /** x [B, heads, T, D] with cos/sin [B or 1, 1, T, D]. */
    static NDArray apply(NDArray x, NDArray cos, NDArray sinSigned, NDArray swapHalves, int t) {
        NDArray swapped;
        if (t == 1) {
            swapped = x.matMul(swapHalves); // one small exact product costs less than split + concat here
        } else {
            NDList halves = x.split(2, 3);
            swapped = halves.get(1).concat(halves.get(0), 3);
        }
        return x.mul(cos).add(swapped.mul(sinSigned));
    }
}
