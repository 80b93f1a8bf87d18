package dev.tunelab.tune;

import java.util.Locale;

/**
 * Learning rate per optimizer step, as Hugging Face's get_*_schedule_with_warmup: linear warm-up from 0 over
 * {@code warmupSteps}, then constant, linear decay to 0, or half-cosine decay to 0 at {@code totalSteps}.
 */
public record LrSchedule(Kind kind, double peak, int warmupSteps, int totalSteps) {
    public enum Kind {
        CONSTANT, LINEAR, COSINE;

        public static Kind parse(String s) {
            try {
                return valueOf(s.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown scheduler '" + s + "' (constant|linear|cosine)");
            }
        }
    }

    public LrSchedule {
        if (!(peak > 0) || Double.isInfinite(peak)) {
            throw new IllegalArgumentException("learning rate must be > 0, got " + peak);
        }
        if (warmupSteps < 0) {
            throw new IllegalArgumentException("warm-up steps must be >= 0, got " + warmupSteps);
        }
        if (totalSteps <= 0) {
            throw new IllegalArgumentException("total steps must be > 0, got " + totalSteps);
        }
    }

    /** Learning rate for optimizer step {@code step} (0-based: the first update uses step 0). */
    public double at(int step) {
        if (step < warmupSteps) {
            return peak * (step + 1) / (double) (warmupSteps + 1);
        }
        if (kind == Kind.CONSTANT) {
            return peak;
        }
        double progress = (step - warmupSteps) / (double) Math.max(1, totalSteps - warmupSteps);
        progress = Math.min(1.0, progress);
        if (kind == Kind.LINEAR) {
            return peak * (1.0 - progress);
        }
        return peak * 0.5 * (1.0 + Math.cos(Math.PI * progress));
    }
}
