package dev.tunelab.tune;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;

import java.util.Map;

/**
 * Dynamic loss scaling for fp16 training, with torch.cuda.amp.GradScaler's rules and defaults: the loss is multiplied
 * by the scale before backward (so small fp16 gradients do not flush to zero), gradients are divided by it before
 * clipping and the optimizer step; a step whose gradients (or loss) are inf/NaN is skipped and the scale multiplied
 * by {@code backoffFactor}; after {@code growthInterval} good steps in a row it is multiplied by
 * {@code growthFactor}. Scales are powers of two by default, so scaling and unscaling are exact in floating point.
 * Unlike GradScaler, a run gives up after {@code maxConsecutiveSkips} skipped steps in a row (the overflow then
 * does not come from the gradient range, e.g. the fp16 forward itself overflows). Build with {@link #builder()}.
 */
public final class LossScaler {
    private final double growthFactor;
    private final double backoffFactor;
    private final int growthInterval;
    private final int maxConsecutiveSkips;
    private double scale;
    private int growthTracker;
    private int skippedSteps;
    private int consecutiveSkips;

    private LossScaler(Builder b) {
        this.scale = b.initScale;
        this.growthFactor = b.growthFactor;
        this.backoffFactor = b.backoffFactor;
        this.growthInterval = b.growthInterval;
        this.maxConsecutiveSkips = b.maxConsecutiveSkips;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** GradScaler's defaults: init 2^16, growth 2, backoff 0.5, interval 2000; give up after 32 skips in a row. */
    public static LossScaler defaults() {
        return builder().build();
    }

    /** Builder, DJL style; defaults are GradScaler's. */
    public static final class Builder {
        private double initScale = 65536.0;
        private double growthFactor = 2.0;
        private double backoffFactor = 0.5;
        private int growthInterval = 2000;
        private int maxConsecutiveSkips = 32;

        private Builder() {}

        public Builder optInitScale(double s) {
            this.initScale = s;
            return this;
        }

        public Builder optGrowthFactor(double f) {
            this.growthFactor = f;
            return this;
        }

        public Builder optBackoffFactor(double f) {
            this.backoffFactor = f;
            return this;
        }

        public Builder optGrowthInterval(int steps) {
            this.growthInterval = steps;
            return this;
        }

        /** Skipped steps in a row after which training stops as failed (0 = never). */
        public Builder optMaxConsecutiveSkips(int steps) {
            this.maxConsecutiveSkips = steps;
            return this;
        }

        public LossScaler build() {
            if (!(initScale > 0) || Double.isInfinite(initScale)) {
                throw new IllegalArgumentException("loss scale must be a finite number > 0, got " + initScale);
            }
            if (!(growthFactor > 1)) {
                throw new IllegalArgumentException("loss-scale growth factor must be > 1, got " + growthFactor);
            }
            if (!(backoffFactor > 0 && backoffFactor < 1)) {
                throw new IllegalArgumentException("loss-scale backoff factor must be in (0, 1), got " + backoffFactor);
            }
            if (growthInterval < 1 || maxConsecutiveSkips < 0) {
                throw new IllegalArgumentException("growth interval must be >= 1 and max consecutive skips >= 0");
            }
            return new LossScaler(this);
        }
    }

    /** The current scale. */
    public double scale() {
        return scale;
    }

    /** Good steps since the last change of scale. */
    public int growthTracker() {
        return growthTracker;
    }

    public int skippedSteps() {
        return skippedSteps;
    }

    public int consecutiveSkips() {
        return consecutiveSkips;
    }

    /** True when the last {@code maxConsecutiveSkips} steps were all skipped. */
    public boolean exhausted() {
        return maxConsecutiveSkips > 0 && consecutiveSkips >= maxConsecutiveSkips;
    }

    /**
     * {@code loss * scale}, differentiable, in {@code loss}'s manager. The scale is an NDArray left open in that
     * manager until it closes (after backward): a DJL scalar wraps a Java buffer, and closing or dropping it before
     * backward can corrupt the gradient (the Number-operand pitfall).
     */
    public NDArray scale(NDArray loss) {
        return loss.mul(constant(loss.getManager(), scale, loss.getDataType()));
    }

    private static NDArray constant(NDManager m, double value, ai.djl.ndarray.types.DataType type) {
        NDArray c = type == ai.djl.ndarray.types.DataType.FLOAT64 ? m.create(value) : m.create((float) value);
        return c.getDataType() == type ? c : c.toType(type, false);
    }

    /** Divides every gradient of {@code params} by the scale, in place (GradScaler.unscale_), outside autograd. */
    public void unscale(Map<String, NDArray> params) {
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            for (NDArray p : params.values()) {
                try (NDManager scope = p.getManager().newSubManager()) {
                    NDArray g = p.getGradient();
                    g.attach(scope);
                    NDArray inv = constant(scope, 1.0 / scale, g.getDataType());
                    g.muli(inv);
                }
            }
        } finally {
            JniUtils.setGradMode(gradMode);
        }
    }

    /**
     * Records one optimizer step: {@code finite} = its loss and gradients were all finite. Returns true when the
     * step should be taken; false when it must be skipped (the scale then backs off).
     */
    public boolean update(boolean finite) {
        if (!finite) {
            scale *= backoffFactor;
            growthTracker = 0;
            skippedSteps++;
            consecutiveSkips++;
            return false;
        }
        consecutiveSkips = 0;
        if (++growthTracker >= growthInterval) {
            scale *= growthFactor;
            growthTracker = 0;
        }
        return true;
    }

    /** Restores the state saved in a checkpoint. */
    public void restore(double scale, int growthTracker, int skippedSteps, int consecutiveSkips) {
        if (!(scale > 0) || Double.isInfinite(scale)) {
            throw new IllegalArgumentException("checkpoint loss scale must be finite and > 0, got " + scale);
        }
        this.scale = scale;
        this.growthTracker = growthTracker;
        this.skippedSteps = skippedSteps;
        this.consecutiveSkips = consecutiveSkips;
    }
}
