package dev.tunelab.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tunelab.model.ByteTokenizer;
import dev.tunelab.model.DjlSetup;
import dev.tunelab.model.LanguageModel;
import dev.tunelab.model.LlamaConfig;
import dev.tunelab.model.Models;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `tunelab eval` with a real (tiny random) local model saved to disk and loaded back by --model PATH. */
class EvalCommandModelTest {
    @Test
    void zeroShotLikelihoodAndGenerationRunsOnALocalModel(@TempDir Path dir) throws Exception {
        DjlSetup.ensure();
        Path modelDir = dir.resolve("tiny");
        try (LanguageModel lm = Models.random(LlamaConfig.tiny(259, 32, 64, 2, 4, 2, 2048), new ByteTokenizer(), 3)) {
            Models.save(lm, modelDir);
        }
        Path out = dir.resolve("cls.json");
        EvalCommandTest.Run r = EvalCommandTest.run("eval", "--strategy", "zero-shot", "--model", modelDir.toString(),
                "--data", EvalCommandTest.yelp().toString(), "--columns", "text,label", "--limit", "5",
                "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode doc = new ObjectMapper().readTree(out.toFile());
        int right = 0;
        try (LanguageModel lm = Models.load(modelDir)) {
            for (JsonNode e : doc.get("examples")) {
                // the built-in classification prompt, written out by hand
                String prompt = "Classify each text as negative or positive.\n\nText: " + e.get("input").asText()
                        + "\nLabel:";
                double neg = lm.logLikelihood(prompt, " negative");
                double pos = lm.logLikelihood(prompt, " positive");
                assertEquals(neg, e.get("label_scores").get("0").asDouble(), 1e-4);
                assertEquals(pos, e.get("label_scores").get("1").asDouble(), 1e-4);
                assertEquals(pos > neg ? "1" : "0", e.get("prediction").asText());
                right += e.get("prediction").asText().equals(e.get("reference").asText()) ? 1 : 0;
            }
        }
        assertEquals(5, doc.get("examples").size());
        assertEquals(right / 5.0, doc.get("metrics").get("accuracy").asDouble(), 1e-12);

        Path qa = dir.resolve("qa.json");
        Path covid = Path.of(System.getProperty("tunelab.repo"), "..", "shared", "datasets", "covid-faq-cdc",
                "faq_covidbert_cdc_only.jsonl");
        EvalCommandTest.Run g = EvalCommandTest.run("eval", "--strategy", "zero-shot", "--model", modelDir.toString(),
                "--data", covid.toString(), "--task", "generation", "--limit", "2", "--out", qa.toString());
        assertEquals(0, g.code(), g.err());
        JsonNode q = new ObjectMapper().readTree(qa.toFile());
        double f1 = 0;
        long tokensOut = 0;
        for (JsonNode e : q.get("examples")) {
            f1 += e.get("token_f1").asDouble();
            tokensOut += e.get("tokens_out").asLong();
            assertTrue(e.get("tokens_out").asInt() <= 64);
            assertTrue(e.get("tokens_in").asInt() > e.get("input").asText().length());
        }
        assertEquals(f1 / 2, q.get("metrics").get("token_f1").asDouble(), 1e-12);
        assertEquals(tokensOut, q.get("metrics").get("tokens_out").asLong());
        assertTrue(g.out().contains("token_f1"), g.out());
    }
}
