package dev.tunelab.track;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A W&amp;B run on disk: run.json (where it belongs, never the key), records.jsonl (config, history, summary, file and
 * finish records in the order they happened, one JSON object per line, flushed per record) and files/ (copies of
 * attached files). `tunelab sync DIR` replays it.
 */
final class RunSpool implements AutoCloseable {
    static final String RUN = "run.json";
    static final String RECORDS = "records.jsonl";
    private final Path dir;
    private final Writer records;

    RunSpool(Path dir, WandbSettings s) {
        this.dir = dir;
        try {
            Files.createDirectories(dir.resolve("files"));
            Map<String, Object> run = new LinkedHashMap<>();
            run.put("base_url", s.baseUrl());
            run.put("entity", s.entity());
            run.put("project", s.project());
            run.put("run_id", s.runId());
            run.put("display_name", s.displayName());
            Path tmp = dir.resolve("." + RUN + ".tmp");
            Files.writeString(tmp, Json.write(run), StandardCharsets.UTF_8);
            Files.move(tmp, dir.resolve(RUN), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            records = Files.newBufferedWriter(dir.resolve(RECORDS), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create W&B run directory " + dir + ": " + e.getMessage(), e);
        }
    }

    Path dir() {
        return dir;
    }

    synchronized void append(Map<String, Object> record) {
        try {
            records.write(Json.write(record));
            records.write('\n');
            records.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to " + dir.resolve(RECORDS) + ": " + e.getMessage(), e);
        }
    }

    /** Copies an attached file into files/ (so a later sync still has it) and returns the copy. */
    synchronized Path keep(Path file) {
        Path target = dir.resolve("files").resolve(file.getFileName().toString());
        try {
            if (!(Files.exists(target) && Files.isSameFile(file, target))) {
                Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
                Files.copy(file, tmp, StandardCopyOption.REPLACE_EXISTING);
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep " + file + " in " + dir + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            records.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What a spooled run holds. */
    record Contents(JsonNode run, List<JsonNode> records) {}

    static Contents read(Path dir) {
        Path runFile = dir.resolve(RUN);
        Path recordsFile = dir.resolve(RECORDS);
        if (!Files.isRegularFile(runFile) || !Files.isRegularFile(recordsFile)) {
            throw new IllegalArgumentException(dir + " is not a W&B run directory (expected " + RUN + " and " + RECORDS + ")");
        }
        try {
            JsonNode run = Json.MAPPER.readTree(runFile.toFile());
            List<JsonNode> recs = new ArrayList<>();
            int lineNo = 0;
            try (BufferedReader r = Files.newBufferedReader(recordsFile, StandardCharsets.UTF_8)) {
                for (String line; (line = r.readLine()) != null; ) {
                    lineNo++;
                    if (line.isBlank()) {
                        continue;
                    }
                    try {
                        JsonNode n = Json.MAPPER.readTree(line);
                        if (!n.hasNonNull("type")) {
                            throw new IllegalArgumentException(recordsFile + ":" + lineNo + ": record has no 'type'");
                        }
                        recs.add(n);
                    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                        // a crash can cut the last line short; anything before it is complete
                        boolean last = r.readLine() == null;
                        if (!last) {
                            throw new IllegalArgumentException(recordsFile + ":" + lineNo + ": invalid JSON record");
                        }
                    }
                }
            }
            return new Contents(run, recs);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dir + ": " + e.getMessage(), e);
        }
    }
}
