package dev.tunelab.track;

import java.nio.file.Path;
import java.util.Map;

/** Picks a tracker: W&amp;B when asked (or when a key is configured and nothing was asked), else local JSONL files. */
public final class Trackers {
    private Trackers() {}

    /**
     * @param kind     "wandb", "local", or null for automatic (W&amp;B if a key or WANDB_MODE=offline is set)
     * @param localDir a local run goes to {@code localDir/tracking/run-<time>-<id>}, a W&amp;B spool to
     *                 {@code localDir/wandb/run-<id>}
     */
    public static Tracker create(String kind, Path localDir, String project, Map<String, String> env) {
        Path netrc = Path.of(System.getProperty("user.home"), ".netrc");
        boolean wandb = "wandb".equals(kind) || kind == null && (WandbSettings.keyAvailable(env, netrc)
                || "offline".equalsIgnoreCase(env.get("WANDB_MODE")));
        if (kind != null && !kind.equals("wandb") && !kind.equals("local")) {
            throw new IllegalArgumentException("tracker must be 'wandb' or 'local', got '" + kind + "'");
        }
        if (wandb) {
            WandbSettings s = WandbSettings.fromEnvironment(env, netrc, project);
            return WandbTracker.start(s.withSpoolDir(localDir.resolve("wandb").resolve("run-" + s.runId())));
        }
        String id = java.time.LocalDateTime.now().format(java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))
                + "-" + WandbSettings.newRunId().substring(0, 4);
        return new LocalTracker(localDir.resolve("tracking").resolve("run-" + id));
    }
}
