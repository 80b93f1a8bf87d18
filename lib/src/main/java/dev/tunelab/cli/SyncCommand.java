package dev.tunelab.cli;

import dev.tunelab.track.WandbSettings;
import dev.tunelab.track.WandbSync;

import java.nio.file.Files;
import java.nio.file.Path;

/** `tunelab sync DIR`: uploads an offline (or interrupted) Weights &amp; Biases run directory. */
final class SyncCommand implements Command {
    @Override
    public String name() {
        return "sync";
    }

    @Override
    public String summary() {
        return "Upload an offline Weights & Biases run directory";
    }

    @Override
    public Args args() {
        return new Args(name())
                .option("dir", "run-dir", "the run directory (also accepted as the first argument)")
                .positional("dir")
                .option("entity", "name", "W&B entity (default: WANDB_ENTITY, else the one recorded in the run)");
    }

    @Override
    public int run(Args args) {
        Path dir = args.path("dir");
        if (dir == null) {
            throw new UsageException("sync: give the run directory: tunelab sync --dir DIR (or tunelab sync DIR)");
        }
        if (!Files.isDirectory(dir)) {
            throw new UsageException("sync: " + dir + " is not a directory");
        }
        java.util.Map<String, String> env = new java.util.HashMap<>(System.getenv());
        env.remove("WANDB_MODE");
        WandbSettings s = WandbSettings.fromEnvironment(env, Path.of(System.getProperty("user.home"), ".netrc"),
                "tunelab"); // the project recorded in the run directory wins
        if (args.get("entity") != null) {
            s = s.withEntity(args.get("entity"));
        }
        WandbSync.Summary r = WandbSync.sync(dir, s);
        System.out.printf("synced run %s: %d history lines, %d files%s%n", r.runId(), r.historyLines(), r.files(),
                r.finished() ? "" : " (the run had not finished; marked failed)");
        return 0;
    }
}
