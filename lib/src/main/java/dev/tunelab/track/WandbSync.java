package dev.tunelab.track;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Uploads a spooled run (an offline run, or an online run that lost its connection) in its recorded order. Running it
 * again is safe: history lines the server already holds are skipped by its historyLineCount.
 */
public final class WandbSync {
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

    private WandbSync() {}

    /** What was uploaded. */
    public record Summary(String runId, int historyLines, int files, boolean finished) {}

    /** @param settings key, base URL and retry settings; entity/project/run come from the spool unless set here */
    public static Summary sync(Path runDir, WandbSettings settings) {
        RunSpool.Contents c = RunSpool.read(runDir);
        JsonNode run = c.run();
        WandbSettings s = settings.withOffline(false).withRunId(run.path("run_id").asText(settings.runId()))
                .withProject(run.path("project").asText(settings.project()))
                .withEntity(settings.entity() != null ? settings.entity() : run.path("entity").asText(null))
                .withDisplayName(run.path("display_name").asText(null));
        int lines = 0, files = 0;
        boolean finished = false;
        WandbTracker t = WandbTracker.forReplay(s);
        int exit = 0;
        for (JsonNode r : c.records()) {
            switch (r.path("type").asText()) {
                case "config" -> t.config(Json.MAPPER.convertValue(r.path("config"), MAP));
                case "history" -> {
                    t.appendRow(Json.MAPPER.convertValue(r.path("row"), MAP));
                    lines++;
                }
                case "summary" -> t.summary(Json.MAPPER.convertValue(r.path("summary"), MAP));
                case "file" -> {
                    Path f = runDir.resolve("files").resolve(r.path("name").asText());
                    if (!Files.isRegularFile(f)) {
                        throw new IllegalArgumentException(runDir + ": attached file " + f.getFileName() + " is missing from files/");
                    }
                    t.file(f);
                    files++;
                }
                case "finish" -> {
                    exit = r.path("exitcode").asInt(0);
                    finished = true;
                }
                default -> throw new IllegalArgumentException(runDir + ": unknown record type '" + r.path("type").asText() + "'");
            }
        }
        // a run that never finished (a crash) is closed as failed so W&B does not show it running forever
        t.finish(finished ? exit : 1);
        return new Summary(s.runId(), lines, files, finished);
    }
}
