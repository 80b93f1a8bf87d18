package dev.tunelab.track;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Weights &amp; Biases over its HTTP API. Every record first goes to a {@link RunSpool} on disk; online, a sender thread
 * creates (or resumes) the run with the GraphQL {@code upsertBucket} mutation, streams history lines and the summary
 * to {@code file_stream} with line offsets, heartbeats while idle, uploads files through {@code createRunFiles} and
 * pre-signed PUTs, and finally posts {@code {"complete": true, "exitcode": N}}. A failed request is retried with the
 * same offset and content, so a network fault neither loses nor reorders a metric.
 */
public final class WandbTracker implements Tracker {
    private static final System.Logger LOG = System.getLogger("dev.tunelab.track.wandb");
    private static final String HISTORY = "wandb-history.jsonl";
    private static final String SUMMARY = "wandb-summary.json";
    static final String UPSERT = """
            mutation UpsertBucket($id: String, $name: String, $project: String, $entity: String, $displayName: String, $config: JSONString) {
              upsertBucket(input: {id: $id, name: $name, modelName: $project, entityName: $entity, displayName: $displayName, config: $config}) {
                bucket { id name displayName historyLineCount project { id name entity { id name } } }
                inserted
              }
            }""";
    static final String CREATE_RUN_FILES = """
            mutation CreateRunFiles($entity: String!, $project: String!, $run: String!, $files: [String!]!) {
              createRunFiles(input: {entityName: $entity, projectName: $project, runName: $run, files: $files}) {
                runID
                uploadHeaders
                files { name uploadUrl }
              }
            }""";

    private final WandbSettings settings;
    private final RunSpool spool;
    private final WandbHttp http;
    private final boolean replay;
    private final Object lock = new Object();
    private final long startNanos = System.nanoTime();
    private final List<String> history = new ArrayList<>();
    private final Map<String, Object> config = new LinkedHashMap<>();
    private final Map<String, Object> summary = new LinkedHashMap<>();
    private final Deque<Path> files = new ArrayDeque<>();
    private int configVersion, sentConfigVersion = -1, summaryVersion, sentSummaryVersion;
    private long acked, historyBase;
    private long lastStep = Long.MIN_VALUE;
    private Integer exitCode;
    private boolean finished;
    private String entity;
    private volatile WandbException failure;
    private Thread sender;

    private WandbTracker(WandbSettings settings, boolean replay, boolean writeSpool) {
        this.settings = settings;
        this.replay = replay;
        this.spool = writeSpool ? new RunSpool(settings.spoolDir(), settings) : null;
        this.http = settings.offline() ? null : new WandbHttp(settings);
        this.entity = settings.entity();
    }

    /** Starts a run (online: the sender thread creates it on the server; offline: only the spool is written). */
    public static WandbTracker start(WandbSettings settings) {
        WandbTracker t = new WandbTracker(settings, false, true);
        if (!settings.offline()) {
            t.startSender();
        } else {
            LOG.log(System.Logger.Level.INFO, "W&B offline: spooling run {0} to {1}; upload later with `tunelab sync {1}`",
                    settings.runId(), settings.spoolDir());
        }
        return t;
    }

    /** For `tunelab sync`: replays a spool; history lines the server already has (historyLineCount) are skipped. */
    static WandbTracker forReplay(WandbSettings settings) {
        if (settings.offline()) {
            throw new IllegalArgumentException("sync needs online settings (unset WANDB_MODE=offline)");
        }
        WandbTracker t = new WandbTracker(settings, true, false);
        t.startSender();
        return t;
    }

    private void startSender() {
        sender = new Thread(this::sendLoop, "tunelab-wandb-" + settings.runId());
        sender.setDaemon(true);
        sender.start();
    }

    public Path spoolDir() {
        return settings.spoolDir();
    }

    @Override
    public String runId() {
        return settings.runId();
    }

    @Override
    public void config(Map<String, Object> values) {
        synchronized (lock) {
            checkOpen();
            config.putAll(values);
            configVersion++;
            record(Map.of("type", "config", "config", values));
            lock.notifyAll();
        }
    }

    @Override
    public void log(long step, Map<String, Object> metrics) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("_step", step);
        row.put("_runtime", (System.nanoTime() - startNanos) / 1e9);
        row.put("_timestamp", Instant.now().toEpochMilli() / 1000.0);
        row.putAll(Json.checkedCopy(metrics));
        synchronized (lock) {
            if (step < lastStep) {
                throw new IllegalArgumentException("step " + step + " is before the last logged step " + lastStep);
            }
            lastStep = step;
            appendRow(row);
        }
    }

    /** Appends an already complete history row (replay keeps the original _runtime/_timestamp). */
    void appendRow(Map<String, Object> row) {
        synchronized (lock) {
            checkOpen();
            history.add(Json.write(row));
            record(Map.of("type", "history", "row", row));
            if (history.size() - acked >= 1000) {
                lock.notifyAll();
            }
        }
    }

    @Override
    public void summary(Map<String, Object> values) {
        synchronized (lock) {
            checkOpen();
            summary.putAll(Json.checkedCopy(values));
            summaryVersion++;
            record(Map.of("type", "summary", "summary", values));
        }
    }

    @Override
    public void file(Path path) {
        if (!Files.isRegularFile(path)) {
            throw new IllegalArgumentException("cannot attach " + path + ": not a file");
        }
        synchronized (lock) {
            checkOpen();
            Path kept = spool != null ? spool.keep(path) : path;
            record(Map.of("type", "file", "name", kept.getFileName().toString()));
            files.add(kept);
            lock.notifyAll();
        }
    }

    @Override
    public void finish(int code) {
        synchronized (lock) {
            if (finished) {
                return;
            }
            finished = true;
            exitCode = code;
            record(Map.of("type", "finish", "exitcode", code));
            lock.notifyAll();
        }
        if (spool != null) {
            spool.close();
        }
        if (sender != null) {
            try {
                sender.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            http.close();
            if (failure != null) {
                String where = spool != null ? "; everything is kept in " + spool.dir() + ": upload it later with `tunelab sync "
                        + spool.dir() + "`" : "";
                throw new WandbException(failure.getMessage() + where, failure.status());
            }
        }
    }

    private void record(Map<String, Object> record) {
        if (spool != null) {
            spool.append(record);
        }
    }

    private void checkOpen() {
        if (finished) {
            throw new IllegalStateException("W&B run " + settings.runId() + " is already finished");
        }
    }

    // ---- sender thread ----------------------------------------------------------------------------------------

    private void sendLoop() {
        try {
            upsert(null);
            long lastPost = System.nanoTime();
            while (true) {
                boolean finishing;
                synchronized (lock) {
                    if (!finished && files.isEmpty() && configVersion == sentConfigVersion) {
                        lock.wait(Math.max(1, Math.min(settings.flushInterval().toMillis(), settings.heartbeat().toMillis())));
                    }
                    finishing = finished;
                }
                if (configDirty()) {
                    upsert(configSnapshot());
                }
                boolean posted = postPending();
                uploadFiles();
                if (posted) {
                    lastPost = System.nanoTime();
                } else if (System.nanoTime() - lastPost >= settings.heartbeat().toNanos()) {
                    http.fileStream(entity, settings.project(), settings.runId(),
                            Map.of("complete", false, "failed", false, "dropped", 0, "uploaded", List.of()));
                    lastPost = System.nanoTime();
                }
                if (finishing && !hasPending()) {
                    http.fileStream(entity, settings.project(), settings.runId(), Map.of("complete", true, "exitcode", exitCode));
                    return;
                }
            }
        } catch (WandbException e) {
            failure = e;
            LOG.log(System.Logger.Level.ERROR, e.getMessage());
        } catch (InterruptedException e) {
            failure = new WandbException("W&B sender interrupted", -1);
        } catch (RuntimeException e) {
            failure = new WandbException("W&B sender failed: " + e.getClass().getSimpleName(), -1);
        }
    }

    private boolean configDirty() {
        synchronized (lock) {
            return configVersion != sentConfigVersion;
        }
    }

    private Map<String, Object> configSnapshot() {
        synchronized (lock) {
            Map<String, Object> wrapped = new LinkedHashMap<>();
            config.forEach((k, v) -> wrapped.put(k, Map.of("value", v)));
            sentConfigVersion = configVersion;
            return wrapped;
        }
    }

    private void upsert(Map<String, Object> wrappedConfig) {
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.put("name", settings.runId());
        vars.put("project", settings.project());
        vars.put("entity", entity);
        if (settings.displayName() != null) {
            vars.put("displayName", settings.displayName());
        }
        if (wrappedConfig != null) {
            vars.put("config", Json.write(wrappedConfig));
        }
        JsonNode bucket = http.graphql("UpsertBucket", UPSERT, vars).path("upsertBucket").path("bucket");
        if (bucket.isMissingNode()) {
            throw new WandbException("W&B upsertBucket returned no bucket for run " + settings.runId(), 200);
        }
        String serverEntity = bucket.path("project").path("entity").path("name").asText(null);
        if (entity == null && serverEntity != null) {
            entity = serverEntity;
        }
        if (entity == null) {
            throw new WandbException("W&B did not say which entity run " + settings.runId() + " belongs to: set WANDB_ENTITY", 200);
        }
        if (wrappedConfig == null) {
            long lines = bucket.path("historyLineCount").asLong(0);
            synchronized (lock) {
                if (replay) {
                    acked = lines; // a previous sync already delivered these lines
                } else {
                    historyBase = lines; // resuming a run: our lines come after the server's
                }
            }
        }
    }

    private boolean hasPending() {
        synchronized (lock) {
            return history.size() > acked || summaryVersion != sentSummaryVersion || !files.isEmpty()
                    || configVersion != sentConfigVersion;
        }
    }

    /** Posts all unsent history lines (and the summary if it changed) at their line offset; true if anything was sent. */
    private boolean postPending() {
        List<String> lines;
        long offset;
        int summaryAt;
        String summaryJson;
        synchronized (lock) {
            int from = (int) Math.min(acked, history.size());
            lines = new ArrayList<>(history.subList(from, history.size()));
            offset = historyBase + acked;
            summaryAt = summaryVersion;
            summaryJson = summaryAt != sentSummaryVersion ? Json.write(summary) : null;
        }
        if (lines.isEmpty() && summaryJson == null) {
            return false;
        }
        Map<String, Object> fileMap = new LinkedHashMap<>();
        if (!lines.isEmpty()) {
            fileMap.put(HISTORY, Map.of("offset", offset, "content", lines));
        }
        if (summaryJson != null) {
            fileMap.put(SUMMARY, Map.of("offset", 0, "content", List.of(summaryJson)));
        }
        http.fileStream(entity, settings.project(), settings.runId(), Map.of("files", fileMap));
        synchronized (lock) {
            acked += lines.size();
            sentSummaryVersion = summaryAt;
        }
        return true;
    }

    private void uploadFiles() {
        List<Path> batch;
        synchronized (lock) {
            if (files.isEmpty()) {
                return;
            }
            batch = new ArrayList<>(files);
        }
        List<String> names = batch.stream().map(p -> p.getFileName().toString()).toList();
        JsonNode created = http.graphql("CreateRunFiles", CREATE_RUN_FILES, Map.of("entity", entity,
                "project", settings.project(), "run", settings.runId(), "files", names)).path("createRunFiles");
        List<String> headers = new ArrayList<>();
        created.path("uploadHeaders").forEach(h -> headers.add(h.asText()));
        Map<String, String> urls = new LinkedHashMap<>();
        created.path("files").forEach(f -> urls.put(f.path("name").asText(), f.path("uploadUrl").asText(null)));
        for (Path p : batch) {
            String url = urls.get(p.getFileName().toString());
            if (url == null) {
                throw new WandbException("W&B createRunFiles returned no upload URL for " + p.getFileName(), 200);
            }
            try {
                http.upload(url, Files.readAllBytes(p), headers);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + p + " for upload: " + e.getMessage(), e);
            }
            synchronized (lock) {
                files.remove(p);
            }
        }
    }
}
