package dev.tunelab.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tunelab.data.Dataset;
import dev.tunelab.data.Datasets;
import dev.tunelab.data.Example;
import dev.tunelab.data.Split;
import dev.tunelab.data.TaskType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EvaluationTest {
    private static final Path SHARED = Path.of(System.getProperty("tunelab.repo"), "..", "shared");

    @TempDir
    Path tmp;

    /** A keyword rule: "positive" when the sentence has a positive word; latency = position in the test set. */
    static final class KeywordStrategy implements Strategy {
        Split prepared;
        int calls;

        @Override
        public String name() {
            return "keywords";
        }

        @Override
        public String kind() {
            return "prompting";
        }

        @Override
        public void prepare(Split split, ProgressListener listener) {
            prepared = split;
        }

        @Override
        public Prediction predict(Example e) {
            calls++;
            String t = e.input().toLowerCase();
            boolean pos = t.matches(".*\\b(good|great|love|excellent|best|nice|amazing)\\b.*");
            return new Prediction(pos ? " Positive." : "negative", null, Map.of(), calls, 10, 1, List.of());
        }
    }

    @Test
    void classificationRunKeepsExamplesAndScoresLikeTheMetrics() throws IOException {
        Split split = Datasets.withCache(SHARED).get("sentiment-uci").splitStratified(0.8, 0.1, 0.1, 5);
        KeywordStrategy strategy = new KeywordStrategy();
        List<long[]> progress = new ArrayList<>();
        EvaluationResult r = Evaluation.of(strategy)
                .optListener((stage, done, total, msg) -> progress.add(new long[]{done, total})).run(split);
        assertSame(split, strategy.prepared);
        assertEquals(200, r.examples().size());
        assertEquals(200, progress.size());
        assertEquals(200, progress.get(199)[0]);
        List<String> refs = split.test().stream().map(Example::target).toList();
        List<String> preds = r.examples().stream().map(ExampleResult::prediction).toList();
        assertTrue(preds.stream().allMatch(p -> p.equals("positive") || p.equals("negative")), "labels matched");
        ClassificationMetrics m = ClassificationMetrics.of(refs, preds, split.labels());
        assertEquals(m.accuracy(), r.metric("accuracy"), 1e-12);
        assertEquals(m.macro().f1(), r.metric("macro_f1"), 1e-12);
        long correct = r.examples().stream().filter(ExampleResult::correct).count();
        assertEquals(correct / 200.0, r.metric("accuracy"), 1e-12);
        assertEquals(200 - correct, r.errors().size());
        // latencies are 1..200 ms: numpy-style p50 = 100.5, p95 = 1 + 0.95·199 = 190.05
        assertEquals(100.5, r.metric("latency_p50_ms"), 1e-9);
        assertEquals(190.05, r.metric("latency_p95_ms"), 1e-9);
        assertEquals(2200.0, r.metric("tokens_total"));

        Path out = tmp.resolve("eval/result.json");
        r.writeJson(out);
        JsonNode json = new ObjectMapper().readTree(Files.readString(out));
        assertEquals(r.metric("accuracy"), json.get("metrics").get("accuracy").asDouble(), 1e-12);
        JsonNode first = json.get("examples").get(0);
        for (String f : List.of("id", "input", "reference", "prediction", "correct")) {
            assertTrue(first.has(f), f);
        }
        assertEquals(split.test().get(0).id(), first.get("id").asText());
        assertEquals(2, json.get("classification").get("confusion").size());
        try (var files = Files.list(out.getParent())) {
            assertEquals(1, files.count()); // the temp file was renamed, none left
        }
    }

    @Test
    void generationRunComputesTextMetrics() {
        Dataset qa = Datasets.withCache(SHARED).get("covid-faq").head(20);
        List<Example> examples = qa.toExamples();
        Strategy halfRight = new Strategy() {
            public String name() {
                return "half";
            }

            public String kind() {
                return "retrieval";
            }

            public Prediction predict(Example e) {
                int i = examples.indexOf(e);
                String text = i % 2 == 0 ? e.target() : e.target().substring(0, e.target().length() / 2);
                return new Prediction(text, null, null, 1, 5, 7, List.of("doc-" + i));
            }
        };
        EvaluationResult r = Evaluation.of(halfRight).run(examples, TaskType.GENERATION);
        assertEquals(0.5, r.metric("exact_match"), 1e-12);
        List<String> preds = r.examples().stream().map(ExampleResult::prediction).toList();
        List<String> refs = examples.stream().map(Example::target).toList();
        double f1 = 0;
        for (int i = 0; i < preds.size(); i++) {
            f1 += TextMetrics.tokenF1(preds.get(i), refs.get(i));
        }
        assertEquals(f1 / preds.size(), r.metric("token_f1"), 1e-12);
        assertTrue(r.metric("token_f1") > 0.5 && r.metric("token_f1") < 1);
        assertEquals(Bleu.corpus(preds, refs).score(), r.metric("bleu"), 1e-12);
        assertEquals(Rouge.corpusRougeL(preds, refs), r.metric("rougeL"), 1e-12);
        assertEquals(List.of("doc-3"), r.examples().get(3).sources());
        assertEquals(240.0, r.metric("tokens_total"));

        AtomicReference<String> seen = new AtomicReference<>();
        Strategy failing = new Strategy() {
            public String name() {
                return "broken";
            }

            public String kind() {
                return "remote";
            }

            public Prediction predict(Example e) {
                seen.set(e.id());
                throw new IllegalStateException("connection refused");
            }
        };
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Evaluation.of(failing).run(examples, TaskType.GENERATION));
        assertTrue(e.getMessage().contains(seen.get()) && e.getMessage().contains("connection refused"),
                e.getMessage());
    }
}
