package dev.tunelab.track;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The default tracker: a run folder with config.json, history.jsonl (one JSON object per logged step, flushed per
 * line), summary.json, files/ and finish.json. Nothing leaves the machine.
 */
public final class LocalTracker implements Tracker {
    private final Path dir;
    private final Writer history;
    private final Map<String, Object> config = new LinkedHashMap<>();
    private final Map<String, Object> summary = new LinkedHashMap<>();
    private long lastStep = Long.MIN_VALUE;
    private boolean finished;

    public LocalTracker(Path runDir) {
        this.dir = runDir;
        try {
            Files.createDirectories(runDir.resolve("files"));
            history = Files.newBufferedWriter(runDir.resolve("history.jsonl"), StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create tracking folder " + runDir + ": " + e.getMessage(), e);
        }
    }

    public Path dir() {
        return dir;
    }

    @Override
    public String runId() {
        return dir.getFileName().toString();
    }

    @Override
    public synchronized void config(Map<String, Object> values) {
        config.putAll(values);
        writeJson("config.json", config);
    }

    @Override
    public synchronized void log(long step, Map<String, Object> metrics) {
        if (step < lastStep) {
            throw new IllegalArgumentException("step " + step + " is before the last logged step " + lastStep);
        }
        lastStep = step;
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("_step", step);
        row.put("_timestamp", Instant.now().toEpochMilli() / 1000.0);
        row.putAll(Json.checkedCopy(metrics));
        try {
            history.write(Json.write(row));
            history.write('\n');
            history.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to " + dir.resolve("history.jsonl") + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void summary(Map<String, Object> values) {
        summary.putAll(Json.checkedCopy(values));
        writeJson("summary.json", summary);
    }

    @Override
    public synchronized void file(Path path) {
        try {
            Path target = dir.resolve("files").resolve(path.getFileName());
            Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
            Files.copy(path, tmp, StandardCopyOption.REPLACE_EXISTING);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy " + path + " into " + dir + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void finish(int exitCode) {
        if (finished) {
            return;
        }
        finished = true;
        try {
            history.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        writeJson("finish.json", Map.of("exitcode", exitCode, "time", Instant.now().toString()));
    }

    private void writeJson(String name, Object value) {
        Path target = dir.resolve(name);
        Path tmp = dir.resolve("." + name + ".tmp");
        try {
            Files.writeString(tmp, Json.write(value), StandardCharsets.UTF_8);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }
}
