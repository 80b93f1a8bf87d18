package dev.tunelab.experiment;

import dev.tunelab.track.Tracker;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Sends one strategy's curves (as history) and metrics (as summary) to a tracker, keys prefixed by experiment/strategy. */
final class TrackerLogging {
    /** The next free history step per tracker, so that several experiments can share one run. */
    private static final Map<Tracker, Long> NEXT_STEP = new java.util.WeakHashMap<>();

    private TrackerLogging() {}

    static synchronized void log(Tracker tracker, String experiment, StrategyResult r) {
        String prefix = experiment + "/" + r.name() + "/";
        // curves are merged by their step so that train and validation loss of one step share a history row
        TreeMap<Long, Map<String, Object>> rows = new TreeMap<>();
        for (Map.Entry<String, List<double[]>> curve : r.cost().curves().entrySet()) {
            for (double[] point : curve.getValue()) {
                if (Double.isFinite(point[1])) {
                    rows.computeIfAbsent((long) point[0], k -> new LinkedHashMap<>()).put(prefix + curve.getKey(), point[1]);
                }
            }
        }
        long step = NEXT_STEP.getOrDefault(tracker, 0L);
        long base = step;
        for (Map.Entry<Long, Map<String, Object>> row : rows.entrySet()) {
            Map<String, Object> m = new LinkedHashMap<>(row.getValue());
            m.put(prefix + "train_step", row.getKey());
            tracker.log(base + row.getKey(), m);
            step = Math.max(step, base + row.getKey());
        }
        step++;
        Map<String, Object> summary = new LinkedHashMap<>();
        r.metrics().forEach((k, v) -> summary.put(prefix + k, v));
        summary.put(prefix + "latency_p50_ms", r.latencyP50Ms());
        summary.put(prefix + "latency_p95_ms", r.latencyP95Ms());
        summary.put(prefix + "train_seconds", r.cost().trainSeconds());
        summary.put(prefix + "trainable_params", r.cost().trainableParams());
        summary.put(prefix + "peak_memory_bytes", r.peakMemoryBytes());
        summary.put(prefix + "estimated_cost_usd", r.estimatedCostUsd());
        tracker.log(step++, new LinkedHashMap<>(summary));
        tracker.summary(summary);
        NEXT_STEP.put(tracker, step);
    }
}
