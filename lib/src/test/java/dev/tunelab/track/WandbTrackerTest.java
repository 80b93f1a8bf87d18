package dev.tunelab.track;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WandbTrackerTest {
    static final String KEY = "0123456789abcdef0123456789abcdef01234567";
    final ObjectMapper json = new ObjectMapper();

    static WandbSettings settings(String baseUrl, Path spool) {
        return new WandbSettings(baseUrl, ApiKey.of(KEY), "team", "proj", "run12345", "demo", false, spool,
                Duration.ofMillis(40), Duration.ofSeconds(30), Duration.ofMillis(400),
                new RetryPolicy(12, Duration.ofMillis(5), Duration.ofMillis(80), 2.0));
    }

    static String expectedBasic() {
        return "Basic " + Base64.getEncoder().encodeToString(("api:" + KEY).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void everyLineArrivesOnceInOrderDespiteFaults(@TempDir Path tmp) throws Exception {
        try (FakeWandbServer server = new FakeWandbServer()) {
            server.graphqlFaults.put(1, FakeWandbServer.Fault.HTTP_500);           // run creation retried
            server.streamFaults.put(1, FakeWandbServer.Fault.HTTP_500);
            server.streamFaults.put(3, FakeWandbServer.Fault.SLOW_AFTER_APPLY);    // applied, then client times out
            server.streamFaults.put(5, FakeWandbServer.Fault.DROP_BEFORE_APPLY);
            server.streamFaults.put(7, FakeWandbServer.Fault.DROP_AFTER_APPLY);
            server.streamFaults.put(9, FakeWandbServer.Fault.HTTP_500);
            server.slowMillis = 900;
            Path report = tmp.resolve("report.html");
            Files.writeString(report, "<html>report</html>");
            WandbTracker t = WandbTracker.start(settings(server.baseUrl(), tmp.resolve("spool")));
            t.config(Map.of("lr", 0.001, "method", "lora"));
            List<Double> losses = new ArrayList<>();
            for (int step = 0; step < 120; step++) {
                double loss = 2.0 / (1 + step);
                losses.add(loss);
                t.log(step, Map.of("loss", loss));
                if (step % 10 == 9) {
                    Thread.sleep(60); // lets the sender post several batches
                }
                if (step == 60) {
                    t.summary(Map.of("accuracy", 0.5));
                }
            }
            t.summary(Map.of("accuracy", 0.75, "f1", 0.7));
            t.file(report);
            t.finish(0);

            assertTrue(server.faultsInjected >= 6, "faults injected: " + server.faultsInjected);
            assertEquals(List.of(), server.errors);
            assertEquals(120, server.history.size());
            for (int i = 0; i < 120; i++) {
                JsonNode row = json.readTree(server.history.get(i));
                assertEquals(i, row.path("_step").asInt());
                assertEquals(losses.get(i), row.path("loss").asDouble(), 0.0);
            }
            // offsets never go backwards except for a resend of the same batch, and each batch starts at a line the
            // server had already confirmed or at its end
            long previousEnd = 0;
            for (FakeWandbServer.StreamRequest r : server.applied) {
                if (r.historyOffset() != null) {
                    assertTrue(r.historyOffset() <= previousEnd, "gap before offset " + r.historyOffset());
                    previousEnd = Math.max(previousEnd, r.historyOffset() + r.historyLines());
                }
                assertEquals(expectedBasic(), r.authorization());
            }
            JsonNode summary = json.readTree(server.summary);
            assertEquals(0.75, summary.path("accuracy").asDouble());
            assertEquals(0.7, summary.path("f1").asDouble());
            FakeWandbServer.StreamRequest last = server.applied.get(server.applied.size() - 1);
            assertTrue(last.complete());
            assertEquals(0, last.exitcode());
            assertFalse(server.completedBeforeLastRequest);
            assertTrue(server.streamPaths.stream().allMatch(p -> p.equals("/files/team/proj/run12345/file_stream")));

            assertEquals("<html>report</html>", new String(server.uploads.get("report.html"), StandardCharsets.UTF_8));
            assertEquals("null", server.uploadAuthorization.get("report.html"));
            assertEquals("abc", server.uploadTestHeader.get("report.html"));
            server.graphqlAuth.forEach(a -> assertEquals(expectedBasic(), a));

            JsonNode upsert = server.graphqlRequests.stream().filter(r -> r.path("query").asText().contains("upsertBucket")
                    && r.path("variables").has("config")).findFirst().orElseThrow();
            assertEquals("proj", upsert.path("variables").path("project").asText());
            assertEquals("run12345", upsert.path("variables").path("name").asText());
            JsonNode cfg = json.readTree(upsert.path("variables").path("config").asText());
            assertEquals(0.001, cfg.path("lr").path("value").asDouble());
            assertEquals("lora", cfg.path("method").path("value").asText());
        }
    }

    @Test
    void idleRunSendsHeartbeats(@TempDir Path tmp) throws Exception {
        try (FakeWandbServer server = new FakeWandbServer()) {
            WandbSettings s = settings(server.baseUrl(), tmp).withTiming(Duration.ofMillis(20), Duration.ofMillis(100), Duration.ofSeconds(2));
            WandbTracker t = WandbTracker.start(s);
            t.log(0, Map.of("x", 1));
            Thread.sleep(550);
            t.finish(3);
            long beats = server.applied.stream().filter(FakeWandbServer.StreamRequest::heartbeat).count();
            assertTrue(beats >= 2 && beats <= 7, "heartbeats: " + beats);
            assertEquals(3, server.applied.get(server.applied.size() - 1).exitcode());
        }
    }

    @Test
    void offlineSpoolsThenSyncUploadsOnceEvenWhenRepeated(@TempDir Path tmp) throws Exception {
        try (FakeWandbServer server = new FakeWandbServer()) {
            Path spool = tmp.resolve("offline-run");
            Path file = tmp.resolve("results.json");
            Files.writeString(file, "{\"strategies\":[]}");
            WandbTracker t = WandbTracker.start(settings(server.baseUrl(), spool).withOffline(true));
            t.config(Map.of("seed", 42));
            for (int i = 0; i < 25; i++) {
                t.log(i, Map.of("loss", 1.0 / (i + 1)));
            }
            t.summary(Map.of("accuracy", 0.9));
            t.file(file);
            t.finish(0);
            assertEquals(0, server.streamCalls + server.graphqlCalls, "offline mode must not touch the network");
            assertTrue(Files.readString(spool.resolve("records.jsonl")).lines().count() >= 28);

            WandbSync.Summary r = WandbSync.sync(spool, settings(server.baseUrl(), tmp.resolve("unused")));
            assertEquals(25, r.historyLines());
            assertEquals(25, server.history.size());
            for (int i = 0; i < 25; i++) {
                assertEquals(i, json.readTree(server.history.get(i)).path("_step").asInt());
            }
            assertEquals(0.9, json.readTree(server.summary).path("accuracy").asDouble());
            assertEquals("{\"strategies\":[]}", new String(server.uploads.get("results.json"), StandardCharsets.UTF_8));
            int requestsBefore = server.applied.size();
            WandbSync.sync(spool, settings(server.baseUrl(), tmp.resolve("unused2")));
            assertEquals(25, server.history.size());
            assertEquals(List.of(), server.errors);
            long resentLines = server.applied.subList(requestsBefore, server.applied.size()).stream()
                    .mapToLong(FakeWandbServer.StreamRequest::historyLines).sum();
            assertEquals(0, resentLines, "a repeated sync must skip lines the server already has");
        }
    }

    @Test
    void outageKeepsEverythingForSyncAndNeverShowsTheKey(@TempDir Path tmp) throws Exception {
        List<String> logged = new ArrayList<>();
        Logger jul = Logger.getLogger("dev.tunelab.track.wandb");
        Handler h = new Handler() {
            @Override
            public void publish(LogRecord record) {
                logged.add(new java.util.logging.SimpleFormatter().formatMessage(record));
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        jul.addHandler(h);
        try {
            Path spool = tmp.resolve("spool");
            WandbSettings down = settings("http://127.0.0.1:9", spool)
                    .withRetry(new RetryPolicy(3, Duration.ofMillis(1), Duration.ofMillis(5), 2.0));
            WandbTracker t = WandbTracker.start(down);
            for (int i = 0; i < 10; i++) {
                t.log(i, Map.of("loss", i * 0.5));
            }
            WandbException e = assertThrows(WandbException.class, () -> t.finish(0));
            assertTrue(e.getMessage().contains("tunelab sync"), e.getMessage());
            assertTrue(e.getMessage().contains("failed after 3 attempts"), e.getMessage());
            assertTrue(logged.size() >= 2, "retries are logged: " + logged);
            try (FakeWandbServer server = new FakeWandbServer()) {
                server.graphqlFaults.put(1, FakeWandbServer.Fault.HTTP_401);
                WandbException refused = assertThrows(WandbException.class,
                        () -> WandbSync.sync(spool, settings(server.baseUrl(), tmp.resolve("x"))));
                assertEquals(401, refused.status());
                assertTrue(refused.getMessage().contains("API key"));
                noKeyIn(refused.getMessage());
                WandbSync.sync(spool, settings(server.baseUrl(), tmp.resolve("y")));
                assertEquals(10, server.history.size());
                assertEquals(4.5, json.readTree(server.history.get(9)).path("loss").asDouble());
            }
            noKeyIn(e.getMessage());
            noKeyIn(String.join("\n", logged));
            noKeyIn(down.toString());
            try (Stream<Path> files = Files.walk(spool)) {
                for (Path p : files.filter(Files::isRegularFile).toList()) {
                    noKeyIn(Files.readString(p));
                }
            }
        } finally {
            jul.removeHandler(h);
        }
    }

    static void noKeyIn(String text) {
        assertFalse(text.contains(KEY), "the API key leaked: " + text);
        assertFalse(text.contains(expectedBasic().substring(6)), "the basic-auth value leaked: " + text);
    }

    @Test
    void keyFromEnvironmentOrNetrcAndBaseUrl(@TempDir Path tmp) throws Exception {
        Path netrc = tmp.resolve(".netrc");
        Files.writeString(netrc, """
                machine api.wandb.ai
                  login user
                  password netrc-key-public
                machine wandb.example.org login user password netrc-key-private
                """);
        Map<String, String> env = new LinkedHashMap<>(Map.of("WANDB_PROJECT", "p"));
        WandbSettings a = WandbSettings.fromEnvironment(env, netrc, "fallback");
        assertEquals("https://api.wandb.ai", a.baseUrl());
        assertEquals(base("netrc-key-public"), a.apiKey().basicAuthorization());
        env.put("WANDB_BASE_URL", "https://wandb.example.org/");
        WandbSettings b = WandbSettings.fromEnvironment(env, netrc, "fallback");
        assertEquals("https://wandb.example.org", b.baseUrl());
        assertEquals(base("netrc-key-private"), b.apiKey().basicAuthorization());
        env.put("WANDB_API_KEY", "env-key");
        env.put("WANDB_ENTITY", "me");
        WandbSettings c = WandbSettings.fromEnvironment(env, netrc, "fallback");
        assertEquals(base("env-key"), c.apiKey().basicAuthorization());
        assertEquals("me", c.entity());
        assertEquals("p", c.project());
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> WandbSettings.fromEnvironment(Map.of(), tmp.resolve("missing"), "x"));
        assertTrue(none.getMessage().contains("WANDB_API_KEY"));
        WandbSettings offline = WandbSettings.fromEnvironment(Map.of("WANDB_MODE", "offline"), tmp.resolve("missing"), "x");
        assertTrue(offline.offline());
        assertNull(offline.apiKey());
        assertNotNull(offline.runId());
    }

    private static String base(String key) {
        return "Basic " + Base64.getEncoder().encodeToString(("api:" + key).getBytes(StandardCharsets.UTF_8));
    }
}
