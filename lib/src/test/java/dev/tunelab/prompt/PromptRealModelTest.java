package dev.tunelab.prompt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tunelab.data.Example;
import dev.tunelab.data.Split;
import dev.tunelab.data.TaskType;
import dev.tunelab.eval.Prediction;
import dev.tunelab.eval.ProgressListener;
import dev.tunelab.model.ByteTokenizer;
import dev.tunelab.model.DjlSetup;
import dev.tunelab.model.LanguageModel;
import dev.tunelab.model.LlamaConfig;
import dev.tunelab.model.Models;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Prompting a real (tiny, random) Llama: the strategy's label scores must equal log-likelihoods recomputed here by a
 * direct forward pass (logits → log-sum-exp in double precision), and its choice must be their argmax.
 */
class PromptRealModelTest {
    private static LanguageModel lm;

    @BeforeAll
    static void load() {
        DjlSetup.ensure();
        lm = Models.random(LlamaConfig.tiny(259, 32, 64, 2, 4, 2, 1024), new ByteTokenizer(), 7);
    }

    @AfterAll
    static void close() {
        lm.close();
    }

    /** Sum of log p(completion tokens | prompt), from one forward pass over prompt + completion. */
    static double directLogLikelihood(String prompt, String completion) {
        int[] p = lm.tokenizer().encode(prompt, true);
        int[] full = lm.tokenizer().encode(prompt + completion, true);
        try (NDManager m = lm.model().manager().newSubManager()) {
            NDArray logits = lm.model().forward(m.create(full, new Shape(1, full.length)), null, null);
            float[] z = logits.toFloatArray();
            int vocab = (int) logits.getShape().get(2);
            double sum = 0;
            for (int t = p.length; t < full.length; t++) {
                int row = (t - 1) * vocab;
                double max = Double.NEGATIVE_INFINITY;
                for (int v = 0; v < vocab; v++) {
                    max = Math.max(max, z[row + v]);
                }
                double s = 0;
                for (int v = 0; v < vocab; v++) {
                    s += Math.exp(z[row + v] - max);
                }
                sum += z[row + full[t]] - max - Math.log(s);
            }
            return sum;
        }
    }

    @Test
    void labelScoresAreDirectLogLikelihoodsAndTheBestWins() throws Exception {
        List<Example> rows = TestData.yelp(24);
        Split split = new Split("yelp", TaskType.CLASSIFICATION, List.of("0", "1"), rows.subList(0, 20), List.of(),
                rows.subList(20, 24));
        try (PromptStrategy raw = PromptStrategy.builder().setModel(lm).optTemplate(PromptTemplate.sentiment())
                .optShots(2, new BalancedShotSelector(1)).build();
             PromptStrategy norm = PromptStrategy.builder().setModel(lm).optTemplate(PromptTemplate.sentiment())
                     .optShots(2, new BalancedShotSelector(1)).optLengthNormalized(true).build()) {
            raw.prepare(split, ProgressListener.NONE);
            norm.prepare(split, ProgressListener.NONE);
            for (Example q : split.test()) {
                String prompt = raw.prompt(q);
                double neg = directLogLikelihood(prompt, " negative");
                double pos = directLogLikelihood(prompt, " positive");
                Prediction p = raw.predict(q);
                assertEquals(neg, p.labelScores().get("0"), 1e-3);
                assertEquals(pos, p.labelScores().get("1"), 1e-3);
                assertEquals(pos > neg ? "1" : "0", p.label());
                assertEquals(lm.tokenizer().encode(prompt, true).length, p.tokensIn());
                Prediction n = norm.predict(q);
                // byte tokens: " negative" and " positive" are 9 tokens each
                assertEquals(neg / 9, n.labelScores().get("0"), 1e-4);
                assertEquals(pos / 9, n.labelScores().get("1"), 1e-4);
                assertEquals(p.label(), n.label());
                assertNotEquals(neg, pos, 1e-6);
                assertEquals(2, p.sources().size());
            }
        }
    }

    @Test
    void generationRecordsTokensAndKeepsUnparsedAnswers() {
        Split split = new Split("s", TaskType.CLASSIFICATION, List.of("0", "1"), List.of(), List.of(), List.of());
        try (PromptStrategy s = PromptStrategy.builder().setModel(lm).optTemplate(PromptTemplate.sentiment())
                .optScoring(PromptStrategy.Scoring.GENERATE).build()) {
            s.prepare(split, ProgressListener.NONE);
            Example q = new Example("q", "The pizza was great.", "1", Map.of());
            Prediction p = s.predict(q);
            var g = lm.generate(s.prompt(q), lm.defaults().withMaxNewTokens(8)
                    .withStop(PromptTemplate.sentiment().stopStrings()));
            assertEquals(g.text().strip(), p.text());
            assertEquals(g.generatedIds().length, p.tokensOut());
            assertEquals(g.promptIds().length, p.tokensIn());
            assertEquals(AnswerParser.of(Verbalizer.forLabels(List.of("0", "1"))).parse(g.text()), p.label());
            assertTrue(p.latencyMs() > 0);
        }
    }

    @Test
    void demonstrationsThatDoNotFitTheContextAreDroppedEarliestFirst() throws Exception {
        List<Example> rows = TestData.yelp(30);
        Split split = new Split("yelp", TaskType.CLASSIFICATION, List.of("0", "1"), rows.subList(0, 29), List.of(),
                rows.subList(29, 30));
        Example q = split.test().get(0);
        try (LanguageModel small = Models.random(LlamaConfig.tiny(259, 32, 64, 1, 4, 2, 300), new ByteTokenizer(), 1);
             PromptStrategy s = PromptStrategy.builder().setModel(small).optTemplate(PromptTemplate.sentiment())
                     .optShots(6, new BalancedShotSelector(2)).build()) {
            s.prepare(split, ProgressListener.NONE);
            BalancedShotSelector same = new BalancedShotSelector(2);
            same.fit(split.train());
            List<Example> chosen = same.select(q, 6);
            Prediction p = s.predict(q);
            int kept = p.sources().size();
            assertTrue(kept < 6 && kept > 0, "kept " + kept);
            // the kept demonstrations are the last ones chosen, in order
            assertEquals(chosen.subList(6 - kept, 6).stream().map(Example::id).toList(), p.sources());
            int reserve = " negative".length();
            assertTrue(p.tokensIn() + reserve <= 300, "prompt tokens " + p.tokensIn());
            String withOneMore = PromptTemplate.sentiment().render(q, chosen.subList(5 - kept, 6),
                    Verbalizer.forLabels(List.of("0", "1")));
            assertTrue(small.tokenizer().encode(withOneMore, true).length + reserve > 300);

            // a query longer than the whole context keeps the longest prefix of its input that fits
            Example huge = new Example("huge", "word ".repeat(200), "1", Map.of());
            String prompt = s.prompt(huge);
            assertEquals(0, s.predict(huge).sources().size());
            int n = small.tokenizer().encode(prompt, true).length;
            assertTrue(n + reserve <= 300 && n + reserve >= 299, "tokens " + n);
            assertTrue(prompt.contains("Review: word word"));
        }
    }

    @Test
    void calibratedScoresSubtractTheContentFreeScoresOfTheSamePrompt() throws Exception {
        List<Example> rows = TestData.yelp(22);
        Split split = new Split("yelp", TaskType.CLASSIFICATION, List.of("0", "1"), rows.subList(0, 20), List.of(),
                rows.subList(20, 22));
        try (PromptStrategy s = PromptStrategy.builder().setModel(lm).optTemplate(PromptTemplate.sentiment())
                .optShots(2, new RandomShotSelector(4)).optCalibrated(true).build()) {
            s.prepare(split, ProgressListener.NONE);
            RandomShotSelector same = new RandomShotSelector(4);
            same.fit(split.train());
            Verbalizer v = Verbalizer.forLabels(List.of("0", "1"));
            for (Example q : split.test()) {
                List<Example> demos = same.select(q, 2);
                String prompt = PromptTemplate.sentiment().render(q, demos, v);
                String contentFree = PromptTemplate.sentiment().render(
                        new Example("cf", "N/A", "", Map.of()), demos, v);
                Prediction p = s.predict(q);
                double neg = directLogLikelihood(prompt, " negative") - directLogLikelihood(contentFree, " negative");
                double pos = directLogLikelihood(prompt, " positive") - directLogLikelihood(contentFree, " positive");
                assertEquals(neg, p.labelScores().get("0"), 2e-3);
                assertEquals(pos, p.labelScores().get("1"), 2e-3);
                assertEquals(pos > neg ? "1" : "0", p.label());
            }
        }
    }
}
