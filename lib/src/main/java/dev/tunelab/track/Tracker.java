package dev.tunelab.track;

import java.nio.file.Path;
import java.util.Map;

/**
 * Where an experiment's numbers go while it runs: a config once, metrics per step, a final summary, files, and the
 * exit code. {@link LocalTracker} writes JSONL files; {@link WandbTracker} speaks Weights &amp; Biases' HTTP protocol.
 * Obtain one with {@link Trackers#create}.
 */
public interface Tracker extends AutoCloseable {
    /** The run's id (W&amp;B run name or the local folder name). */
    String runId();

    /** Hyper-parameters and settings; may be called more than once (keys merge). */
    void config(Map<String, Object> config);

    /** One history row; steps must not decrease. */
    void log(long step, Map<String, Object> metrics);

    /** Final values shown in the run's summary (keys merge). */
    void summary(Map<String, Object> values);

    /** Attaches a file (report, results.json, chart) to the run. */
    void file(Path path);

    /** Flushes everything and marks the run finished with this exit code. Idempotent. */
    void finish(int exitCode);

    @Override
    default void close() {
        finish(0);
    }
}
