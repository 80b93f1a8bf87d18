package dev.tunelab.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tunelab.prompt.FakeChatServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `tunelab eval` end to end: argument errors, and a remote few-shot run on real rows against a local server. */
class EvalCommandTest {
    record Run(int code, String out, String err) {}

    static Run run(String... argv) {
        PrintStream out = System.out, err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
        try {
            int code = Main.run(argv);
            return new Run(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    static Path yelp() {
        return Path.of(System.getProperty("tunelab.repo"), "..", "shared", "datasets", "sentiment-uci",
                "yelp_labelled.txt");
    }

    @Test
    void argumentErrorsAreOneLineWithExitCode2(@TempDir Path dir) {
        String data = yelp().toString();
        Run badK = run("eval", "--strategy", "few-shot", "--data", data, "--k", "-1", "--columns", "text,label");
        assertEquals(2, badK.code());
        assertTrue(badK.err().contains("--k must be between 0"), badK.err());
        assertEquals(1, badK.err().strip().lines().count(), badK.err());

        Run unknown = run("eval", "--strategy", "telepathy", "--data", data);
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("unknown strategy 'telepathy'"), unknown.err());
        assertEquals(1, unknown.err().strip().lines().count());

        Run missing = run("eval", "--strategy", "zero-shot", "--data", dir.resolve("nope.csv").toString());
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("no such file") && missing.err().contains("nope.csv"), missing.err());

        Run badColumn = run("eval", "--strategy", "zero-shot", "--data", data, "--columns", "sentence,label");
        assertEquals(2, badColumn.code());
        assertTrue(badColumn.err().contains("column 'text' (--text-field)"), badColumn.err());

        Run zeroK = run("eval", "--strategy", "few-shot", "--data", data, "--k", "0", "--columns", "text,label");
        assertEquals(2, zeroK.code());
        assertFalse(Files.exists(dir.resolve("out.json")));

        Run remoteCalibrate = run("eval", "--strategy", "zero-shot", "--data", data, "--columns", "text,label",
                "--remote", "m", "--base-url", "http://127.0.0.1:9/v1", "--calibrate");
        assertEquals(2, remoteCalibrate.code());
        assertTrue(remoteCalibrate.err().contains("--calibrate applies to local models"), remoteCalibrate.err());
    }

    @Test
    void remoteFewShotWritesMetricsThatMatchTheExamples(@TempDir Path dir) throws Exception {
        try (FakeChatServer server = new FakeChatServer()) {
            // the fake "advanced model": positive when the query mentions good/great/love, else negative
            server.fallback = body -> {
                JsonNode msgs = body.get("messages");
                String q = msgs.get(msgs.size() - 1).get("content").asText().toLowerCase();
                boolean pos = q.contains("good") || q.contains("great") || q.contains("love");
                if (q.contains(" not ") || q.contains("n't")) {
                    return FakeChatServer.Reply.ok("Hard to say.", 100, 1);  // unparseable on purpose
                }
                return FakeChatServer.Reply.ok(pos ? "positive" : "Negative.", 100, 1);
            };
            Path out = dir.resolve("res.json");
            Run r = run("eval", "--strategy", "few-shot", "--k", "2", "--data", yelp().toString(),
                    "--columns", "text,label", "--limit", "25", "--remote", "gpt-fake", "--base-url",
                    server.baseUrl(), "--usd-per-1k-in", "0.5", "--usd-per-1k-out", "2", "--out", out.toString());
            assertEquals(0, r.code(), r.err());
            assertTrue(r.out().contains("accuracy"), r.out());
            JsonNode doc = new ObjectMapper().readTree(out.toFile());
            JsonNode examples = doc.get("examples");
            assertEquals(25, examples.size());
            assertEquals(25, server.seen.size());
            int right = 0;
            int unparsed = 0;
            List<String> ids = new ArrayList<>();
            for (JsonNode e : examples) {
                String input = e.get("input").asText().toLowerCase();
                boolean pos = input.contains("good") || input.contains("great") || input.contains("love");
                String q = "text: " + input + "\nlabel:";
                boolean hedge = q.contains(" not ") || q.contains("n't");
                unparsed += hedge ? 1 : 0;
                assertEquals(hedge ? "<unparsed>" : pos ? "1" : "0", e.get("prediction").asText(), input);
                boolean correct = e.get("prediction").asText().equals(e.get("reference").asText());
                assertEquals(correct, e.get("correct").asBoolean());
                right += correct ? 1 : 0;
                ids.add(e.get("id").asText());
                assertEquals(2, e.get("sources").size());
            }
            JsonNode m = doc.get("metrics");
            assertEquals(right / 25.0, m.get("accuracy").asDouble(), 1e-12);
            assertEquals(unparsed, m.get("unparsed").asInt());
            assertTrue(unparsed > 0, "the sample should contain a hedged answer");
            assertEquals(2500, m.get("tokens_in").asLong());
            assertEquals(25, m.get("tokens_out").asLong());
            assertEquals(2500 / 1000.0 * 0.5 + 25 / 1000.0 * 2, m.get("cost_usd").asDouble(), 1e-12);
            assertEquals(25, new java.util.HashSet<>(ids).size());
            assertEquals("remote", doc.get("kind").asText());
            assertFalse(Files.list(dir).anyMatch(p -> p.getFileName().toString().endsWith(".tmp")));
        }
    }
}
