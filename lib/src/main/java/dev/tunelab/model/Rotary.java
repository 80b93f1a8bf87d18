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
     * cos and sign-folded sin tables [maxPositions, headDim]. The sin table holds [-sin, sin] so that rotation is
     * x cos + swap_halves(x) sin, one negation fewer per call.
     */
    static NDArray[] tables(NDManager manager, LlamaConfig config) {
        double[] inv = inverseFrequencies(config);
        int d = config.headDim();
        int half = d / 2;
        int n = Math.min(config.maxPositions(), MAX_TABLE_POSITIONS);
        float[] cos = new float[n * d];
        float[] sin = new float[n * d];
        for (int p = 0; p < n; p++) {
            for (int i = 0; i < half; i++) {
                double angle = p * inv[i];
                float c = (float) Math.cos(angle);
                float s = (float) Math.sin(angle);
                cos[p * d + i] = c;
                cos[p * d + half + i] = c;
                sin[p * d + i] = -s;
                sin[p * d + half + i] = s;
            }
        }
        return new NDArray[] {manager.create(cos, new Shape(n, d)), manager.create(sin, new Shape(n, d))};
    }

    /** x [..., T, D] with cos/sin broadcastable to it. */
    static NDArray apply(NDArray x, NDArray cos, NDArray sinSigned) {
        int last = x.getShape().dimension() - 1;
        NDList halves = x.split(2, last);
        NDArray swapped = halves.get(1).concat(halves.get(0), last);
        return x.mul(cos).add(swapped.mul(sinSigned));
    }
}
