package dev.tunelab.tune;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Adam with decoupled weight decay (Loshchilov &amp; Hutter 2019), in the same order of operations as
 * torch.optim.AdamW: {@code p *= 1 - lr*wd; m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
 * p -= lr/(1-b1^t) * m / (sqrt(v)/sqrt(1-b2^t) + eps)}. Moments live in a manager this optimizer owns (DJL's own
 * Adam never frees its state); gradients are zeroed after each step (the PyTorch engine never does).
 */
public final class AdamW implements AutoCloseable {
    private final NDManager manager;
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final Map<String, NDArray> m = new LinkedHashMap<>();
    private final Map<String, NDArray> v = new LinkedHashMap<>();
    private int t;

    public AdamW(NDManager parent, double beta1, double beta2, double eps, double weightDecay) {
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("AdamW betas must be in [0, 1), got " + beta1 + ", " + beta2);
        }
        if (!(eps > 0)) {
            throw new IllegalArgumentException("AdamW eps must be > 0, got " + eps);
        }
        if (!(weightDecay >= 0)) {
            throw new IllegalArgumentException("weight decay must be >= 0, got " + weightDecay);
        }
        this.manager = parent.newSubManager();
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
    }

    /** torch defaults: betas (0.9, 0.999), eps 1e-8. */
    public static AdamW withDefaults(NDManager parent, double weightDecay) {
        return new AdamW(parent, 0.9, 0.999, 1e-8, weightDecay);
    }

    public int stepCount() {
        return t;
    }

    /**
     * Global L2 norm of the current gradients of {@code params}, multiplied by {@code scale}.
     * Parameters without a gradient count as zero.
     */
    public static double gradientNorm(Map<String, NDArray> params, double scale) {
        double sum = 0;
        for (NDArray p : params.values()) {
            try (NDArray g = p.getGradient(); NDArray n = g.norm()) {
                double v = n.getDataType() == ai.djl.ndarray.types.DataType.FLOAT64 ? n.getDouble() : n.getFloat();
                sum += v * v;
            }
        }
        return Math.sqrt(sum) * Math.abs(scale);
    }

    /**
     * One update of every parameter from its gradient times {@code gradScale} (1/accumulation × clip factor),
     * then zeroes the gradients.
     */
    public void step(Map<String, NDArray> params, double lr, double gradScale) {
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            t++;
            double bc1 = 1 - Math.pow(beta1, t);
            double bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, t));
            for (Map.Entry<String, NDArray> e : params.entrySet()) {
                NDArray p = e.getValue();
                NDArray mi = m.computeIfAbsent(e.getKey(), k -> manager.zeros(p.getShape(), p.getDataType()));
                NDArray vi = v.computeIfAbsent(e.getKey(), k -> manager.zeros(p.getShape(), p.getDataType()));
                if (p instanceof PtNDArray) {
                    fusedUpdate(p, mi, vi, lr, gradScale, bc1, bc2Sqrt);
                    zeroGradient(p);
                    continue;
                }
                try (NDManager scope = manager.newSubManager()) {
                    NDArray g = p.getGradient();
                    g.attach(scope);
                    mi.tempAttach(scope);
                    vi.tempAttach(scope);
                    NDArray gs = gradScale == 1.0 ? g : g.mul(gradScale);
                    if (weightDecay != 0) {
                        p.muli(1 - lr * weightDecay);
                    }
                    mi.muli(beta1).addi(gs.mul(1 - beta1));
                    vi.muli(beta2).addi(gs.mul(gs).muli(1 - beta2));
                    NDArray denom = vi.sqrt().divi(bc2Sqrt).addi(eps);
                    p.subi(mi.div(denom).muli(lr / bc1));
                }
                zeroGradient(p);
            }
        } finally {
            JniUtils.setGradMode(gradMode);
        }
    }

    /**
     * One native call per parameter (DJL's fused PyTorch Adam kernel), with its constants chosen so that it computes
     * torch's AdamW exactly: it does {@code p *= 1 - lr*wd; m, v updated from g*rescale;
     * p -= c * m / (sqrt(v) + e)}, so c = lr * sqrt(1-b2^t) / (1-b1^t) and e = eps * sqrt(1-b2^t).
     */
    private void fusedUpdate(NDArray p, NDArray mi, NDArray vi, double lr, double gradScale, double bc1,
                             double bc2Sqrt) {
        try (NDArray g = p.getGradient()) {
            p.getNDArrayInternal().adamUpdate(new ai.djl.ndarray.NDList(p, g, mi, vi), new ai.djl.ndarray.NDList(p),
                    (float) lr, (float) (lr * bc2Sqrt / bc1), (float) weightDecay, (float) gradScale, -1f,
                    (float) beta1, (float) beta2, (float) (eps * bc2Sqrt), false, true);
        }
    }

    /** Zeroes the gradient buffer of {@code p} (the PyTorch GradientCollector accumulates otherwise). */
    public static void zeroGradient(NDArray p) {
        if (p instanceof PtNDArray pt) {
            JniUtils.zeroGrad(pt);
        } else {
            try (NDArray g = p.getGradient()) {
                g.subi(g);
            }
        }
    }

    /** Moments by parameter name, for checkpoints: "name.exp_avg", "name.exp_avg_sq". */
    public LinkedHashMap<String, NDArray> state() {
        LinkedHashMap<String, NDArray> s = new LinkedHashMap<>();
        for (String k : m.keySet()) {
            s.put(k + ".exp_avg", m.get(k));
            s.put(k + ".exp_avg_sq", v.get(k));
        }
        return s;
    }

    /** Restores moments saved by {@link #state()} and the step count; arrays are copied into this optimizer. */
    public void load(Map<String, NDArray> state, int step) {
        for (Map.Entry<String, NDArray> e : state.entrySet()) {
            String key = e.getKey();
            NDArray src = e.getValue();
            NDArray copy = manager.create(src.toByteBuffer(), src.getShape(), src.getDataType());
            if (key.endsWith(".exp_avg_sq")) {
                replace(v, key.substring(0, key.length() - ".exp_avg_sq".length()), copy);
            } else if (key.endsWith(".exp_avg")) {
                replace(m, key.substring(0, key.length() - ".exp_avg".length()), copy);
            } else {
                copy.close();
                throw new IllegalArgumentException("unexpected optimizer state tensor '" + key + "'");
            }
        }
        this.t = step;
    }

    private static void replace(Map<String, NDArray> map, String key, NDArray value) {
        NDArray old = map.put(key, value);
        if (old != null) {
            old.close();
        }
    }

    /** Bytes of the moment buffers. */
    public long stateBytes() {
        long b = 0;
        for (NDArray a : m.values()) {
            b += a.size() * a.getDataType().getNumOfBytes();
        }
        for (NDArray a : v.values()) {
            b += a.size() * a.getDataType().getNumOfBytes();
        }
        return b;
    }

    @Override
    public void close() {
        manager.close();
        m.clear();
        v.clear();
    }
}
