package dev.tunelab.bench;

import java.util.Locale;
import java.util.Map;

/**
 * One measured line. {@code ratio} is ours/peer when higher is better (throughput), peer/ours when lower is better
 * (time, memory), so a ratio above 1 always means we are ahead.
 *
 * @param peer        null when the peer could not run; {@code peerMissing} says why
 * @param extra       further figures (memory per vector, recall, speed-ups...) written to the JSON file
 */
public record BenchResult(String name, double ours, Double peer, String unit, boolean higherIsBetter,
                          String peerName, String peerMissing, Map<String, Object> extra) {

    public Double ratio() {
        if (peer == null || peer == 0 || ours == 0) {
            return null;
        }
        return higherIsBetter ? ours / peer : peer / ours;
    }

    public String line() {
        if (peer == null) {
            return String.format(Locale.ROOT, "bench %s: skipped peer (%s): ours %s %s", name,
                    peerMissing == null ? "peer missing" : peerMissing, fmt(ours), unit);
        }
        return String.format(Locale.ROOT, "bench %s: %.2fx (%s vs %s %s)", name, ratio(), fmt(ours), fmt(peer), unit);
    }

    private static String fmt(double v) {
        if (Math.abs(v) >= 100) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        return String.format(Locale.ROOT, "%.3g", v);
    }
}
