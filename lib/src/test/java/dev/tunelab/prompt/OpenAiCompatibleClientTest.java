package dev.tunelab.prompt;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tunelab.model.ChatTemplate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The client against a local chat/completions server that injects 429s, 500s, malformed bodies and auth errors. */
class OpenAiCompatibleClientTest {
    static final String KEY = "sk-test-SECRET-0123456789abcdef";
    static final List<ChatTemplate.Message> HELLO = List.of(new ChatTemplate.Message("user", "Say hi"));

    FakeChatServer server;
    final List<Long> sleeps = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        server = new FakeChatServer();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    String baseUrl() {
        return server.baseUrl();
    }

    OpenAiCompatibleClient client(int attempts, String key) {
        RemoteConfig cfg = RemoteConfig.of(baseUrl(), key, "gpt-test").withRetries(attempts, 100, 30_000)
                .withPrices(0.5, 1.5).withTimeout(10);
        return new OpenAiCompatibleClient(cfg, sleeps::add, new Random(1));
    }

    @Test
    void retriesThrough429Then500ThenMalformedBodyAndRecordsUsage() {
        server.script.add(new FakeChatServer.Reply(429, "{\"error\":\"rate limited\"}", Map.of("Retry-After", "2")));
        server.script.add(new FakeChatServer.Reply(500, "{\"error\":\"boom\"}", Map.of()));
        server.script.add(new FakeChatServer.Reply(200, "{\"choices\": [ {\"message\": ", Map.of()));
        server.script.add(FakeChatServer.Reply.ok("Hi there!", 57, 3));
        try (OpenAiCompatibleClient c = client(5, KEY)) {
            OpenAiCompatibleClient.ChatResult r = c.chat(HELLO);
            assertEquals("Hi there!", r.text());
            assertEquals("stop", r.finishReason());
            assertEquals(4, r.attempts());
            assertEquals(57, r.promptTokens());
            assertEquals(3, r.completionTokens());
            assertEquals(57 / 1000.0 * 0.5 + 3 / 1000.0 * 1.5, r.costUsd(), 1e-15);
            assertEquals(0.033, r.costUsd(), 1e-12);
            // Retry-After honoured exactly; then doubling delays with equal jitter: [100, 200] and [200, 400]
            assertEquals(3, sleeps.size());
            assertEquals(2000L, sleeps.get(0));
            assertTrue(sleeps.get(1) >= 100 && sleeps.get(1) <= 200, "second delay " + sleeps);
            assertTrue(sleeps.get(2) >= 200 && sleeps.get(2) <= 400, "third delay " + sleeps);
            assertEquals(4, server.seen.size());
            for (FakeChatServer.Seen s : server.seen) {
                assertEquals("Bearer " + KEY, s.authorization());
                assertEquals("/v1/chat/completions", s.path());
            }
            JsonNode body = server.seen.get(0).body();
            assertEquals("gpt-test", body.get("model").asText());
            assertEquals("user", body.get("messages").get(0).get("role").asText());
            assertEquals("Say hi", body.get("messages").get(0).get("content").asText());
            assertEquals(0.0, body.get("temperature").asDouble());
            assertEquals(64, body.get("max_tokens").asInt());
            assertEquals(1, c.usage().requests());
            assertEquals(4, c.usage().attempts());
            assertEquals(57, c.usage().promptTokens());
            assertEquals(0.033, c.usage().costUsd(), 1e-12);
        }
    }

    @Test
    void givesUpAfterMaxAttemptsWithoutLeakingTheKey() {
        // a server that echoes the key in its error body, as some do for bad keys
        server.fallback = b -> new FakeChatServer.Reply(503, "{\"error\":\"overloaded, key " + KEY + "\"}", Map.of());
        PrintStream originalErr = System.err;
        ByteArrayOutputStream logs = new ByteArrayOutputStream();
        System.setErr(new PrintStream(logs, true, StandardCharsets.UTF_8));
        RemoteException e;
        try (OpenAiCompatibleClient c = client(3, KEY)) {
            e = assertThrows(RemoteException.class, () -> c.chat(HELLO));
            assertEquals(3, c.usage().attempts());
            assertEquals(0, c.usage().requests());
            assertFalse(c.toString().contains(KEY));
            assertFalse(c.config().toString().contains(KEY));
        } finally {
            System.setErr(originalErr);
        }
        assertEquals(3, server.seen.size());
        assertEquals(3, e.attempts());
        assertEquals(503, e.status());
        assertTrue(e.getMessage().contains("503") && e.getMessage().contains("3 attempts"), e.getMessage());
        assertTrue(e.getMessage().contains("***"), e.getMessage());
        assertFalse(e.getMessage().contains(KEY), e.getMessage());
        assertFalse(e.getMessage().contains("SECRET"), e.getMessage());
        String logged = logs.toString(StandardCharsets.UTF_8);
        assertTrue(logged.contains("retrying"), "expected retry warnings, got: " + logged);
        assertFalse(logged.contains("SECRET"), logged);
        assertEquals(2, sleeps.size());
    }

    @Test
    void clientErrorsAreNotRetried() {
        server.fallback = b -> new FakeChatServer.Reply(401, "{\"error\":{\"message\":\"Incorrect API key provided: " + KEY + "\"}}", Map.of());
        try (OpenAiCompatibleClient c = client(5, KEY)) {
            RemoteException e = assertThrows(RemoteException.class, () -> c.chat(HELLO));
            assertEquals(401, e.status());
            assertEquals(1, e.attempts());
            assertFalse(e.getMessage().contains(KEY), e.getMessage());
        }
        assertEquals(1, server.seen.size());
        assertTrue(sleeps.isEmpty());
    }

    @Test
    void ioErrorsAreRetriedThenReported() {
        String url = baseUrl();
        server.close();
        RemoteConfig cfg = RemoteConfig.of(url, KEY, "m").withRetries(3, 50, 1000).withTimeout(5);
        try (OpenAiCompatibleClient c = new OpenAiCompatibleClient(cfg, sleeps::add, new Random(2))) {
            RemoteException e = assertThrows(RemoteException.class, () -> c.chat(HELLO));
            assertEquals(-1, e.status());
            assertEquals(3, e.attempts());
            assertTrue(e.getMessage().contains("I/O error"), e.getMessage());
            assertFalse(e.getMessage().contains(KEY));
        }
        assertEquals(2, sleeps.size());
        assertTrue(sleeps.get(0) >= 25 && sleeps.get(0) <= 50 && sleeps.get(1) >= 50 && sleeps.get(1) <= 100,
                sleeps.toString());
    }

    @Test
    void noKeyMeansNoAuthorizationHeaderAndMissingUsageIsFlagged() {
        server.script.add(new FakeChatServer.Reply(200, "{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":\"ok\"}}]}",
                Map.of()));
        try (OpenAiCompatibleClient c = client(2, null)) {
            OpenAiCompatibleClient.ChatResult r = c.chat(HELLO);
            assertEquals("ok", r.text());
            assertFalse(r.usageReported());
            assertEquals(0, r.promptTokens());
            assertEquals(1, c.usage().unreportedUsage());
        }
        assertNull(server.seen.get(0).authorization());
    }

    @Test
    void retryAfterIsReallyWaitedForWithTheDefaultSleeper() {
        server.script.add(new FakeChatServer.Reply(429, "slow down", Map.of("Retry-After", "1")));
        server.script.add(FakeChatServer.Reply.ok("done", 5, 1));
        RemoteConfig cfg = RemoteConfig.of(baseUrl(), KEY, "m").withRetries(2, 10, 5000);
        long t0 = System.nanoTime();
        try (OpenAiCompatibleClient c = new OpenAiCompatibleClient(cfg)) {
            assertEquals("done", c.chat(HELLO).text());
        }
        double waited = (System.nanoTime() - t0) / 1e9;
        assertTrue(waited >= 1.0 && waited < 15.0, "waited " + waited + " s");
    }

    @Test
    void retryAfterParsesSecondsAndHttpDates() {
        assertEquals(3000L, OpenAiCompatibleClient.retryAfterMillis("3"));
        assertEquals(1500L, OpenAiCompatibleClient.retryAfterMillis("1.5"));
        assertNull(OpenAiCompatibleClient.retryAfterMillis("soon"));
        assertNull(OpenAiCompatibleClient.retryAfterMillis(null));
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(java.time.ZoneOffset.UTC)
                .plusSeconds(10));
        long ms = OpenAiCompatibleClient.retryAfterMillis(date);
        assertTrue(ms > 5000 && ms <= 10000, "date gave " + ms);
    }

    @Test
    void configFromEnvironmentPrefersTuneLabVariablesAndValidates() {
        RemoteConfig a = RemoteConfig.fromEnvironment(null, Map.of("OPENAI_BASE_URL", "http://localhost:11434/v1/",
                "TUNELAB_REMOTE_MODEL", "llama3.2"));
        assertEquals("http://localhost:11434/v1", a.baseUrl());
        assertNull(a.apiKey());
        assertEquals("llama3.2", a.model());
        RemoteConfig b = RemoteConfig.fromEnvironment("gpt-4o-mini", Map.of("OPENAI_API_KEY", "k1",
                "TUNELAB_REMOTE_API_KEY", "k2"));
        assertEquals(RemoteConfig.DEFAULT_BASE_URL, b.baseUrl());
        assertEquals("k2", b.apiKey());
        assertThrows(IllegalArgumentException.class, () -> RemoteConfig.fromEnvironment(null, Map.of()));
        assertThrows(IllegalArgumentException.class, () -> RemoteConfig.of("ftp://x", null, "m"));
    }
}
