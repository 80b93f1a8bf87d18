package dev.tunelab.track;

import java.time.Duration;

/**
 * Exponential backoff: attempt n waits {@code initial × multiplier^(n-1)}, capped at {@code max}, for at most
 * {@code maxAttempts} attempts per request.
 */
public record RetryPolicy(int maxAttempts, Duration initial, Duration max, double multiplier) {
    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("retry.maxAttempts must be >= 1, got " + maxAttempts);
        }
        if (initial.isNegative() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("retry delays must satisfy 0 <= initial <= max");
        }
        if (!(multiplier >= 1)) {
            throw new IllegalArgumentException("retry.multiplier must be >= 1, got " + multiplier);
        }
    }

    public static RetryPolicy defaults() {
        return new RetryPolicy(8, Duration.ofMillis(500), Duration.ofSeconds(30), 2.0);
    }

    Duration delay(int attempt) {
        double ms = initial.toMillis() * Math.pow(multiplier, Math.max(0, attempt - 1));
        return Duration.ofMillis((long) Math.min(ms, max.toMillis()));
    }
}
