package dev.tunelab.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CompareCommandTest {
    static final String SPEC = """
            name: cli-sentiment
            model: tiny-random
            dataset: {name: sentiment-uci, train: 10, validation: 2, test: 5, seed: 3}
            strategies:
              - type: knn
                k: 3
              - type: bow-logreg
                epochs: 30
              - type: zero-shot
              - type: lora
                r: 2
                epochs: 1
                batch_size: 10
                max_length: 64
            """;

    record Run(int exit, String out, String err) {}

    static Run main(String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int exit = Main.run(args);
            return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void compareWithAConfigWritesResultsReportAndTracking(@TempDir Path dir) throws Exception {
        Path spec = dir.resolve("exp.yaml");
        Files.writeString(spec, SPEC);
        Path out = dir.resolve("out");
        Run r = main("compare", "--config", spec.toString(), "--out", out.toString(), "--tracker", "local");
        assertEquals(0, r.exit(), r.err());
        JsonNode doc = new ObjectMapper().readTree(out.resolve("results.json").toFile());
        List<String> names = new java.util.ArrayList<>();
        doc.path("strategies").forEach(s -> names.add(s.path("name").asText()));
        assertEquals(List.of("tfidf-knn-3", "bow-logreg", "zero-shot", "lora-r2"), names);
        JsonNode lora = doc.path("strategies").get(3);
        assertEquals("fine-tuning", lora.path("kind").asText());
        assertTrue(lora.path("trainable_params").asLong() > 0);
        assertTrue(lora.path("train_seconds").asDouble() > 0);
        assertTrue(lora.path("peak_memory_bytes").asLong() > 0);
        assertTrue(lora.path("latency_ms").path("p95").asDouble() >= lora.path("latency_ms").path("p50").asDouble());
        double acc = lora.path("metrics").path("accuracy").asDouble();
        assertEquals(lora.path("correct_ids").size() / 10.0, acc, 1e-12);
        String html = Files.readString(out.resolve("report.html"));
        assertTrue(html.contains("cli-sentiment") && html.contains("lora-r2") && html.contains("data:image/png;base64,"));
        assertTrue(Files.isRegularFile(out.resolve("report.md")));
        try (Stream<Path> runs = Files.list(out.resolve("tracking"))) {
            Path run = runs.findFirst().orElseThrow();
            assertTrue(Files.readString(run.resolve("history.jsonl")).contains("cli-sentiment/lora-r2/train_loss"));
            assertTrue(Files.isRegularFile(run.resolve("files").resolve("results.json")));
            assertTrue(Files.readString(run.resolve("finish.json")).contains("\"exitcode\":0"));
        }
        assertTrue(r.out().contains("wrote " + out.resolve("results.json")));
    }

    @Test
    void badSpecsAndOptionsAreOneLineErrors(@TempDir Path dir) throws Exception {
        Path spec = dir.resolve("bad.yaml");
        Files.writeString(spec, SPEC.replace("k: 3", "k: three"));
        Run r = main("compare", "--config", spec.toString(), "--out", dir.resolve("o").toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("strategies[0].k") && r.err().contains(spec.toString()), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        Run t = main("compare", "--tracker", "mlflow", "--out", dir.resolve("o").toString());
        assertEquals(2, t.exit());
        assertTrue(t.err().contains("--tracker must be one of local|wandb"), t.err());
        Run s = main("sync", dir.resolve("missing").toString());
        assertEquals(2, s.exit());
        assertTrue(s.err().contains("is not a directory"), s.err());
    }
}
