package dev.tunelab.prompt;

import dev.tunelab.data.Example;
import dev.tunelab.data.Split;
import dev.tunelab.data.TaskType;
import dev.tunelab.eval.Prediction;
import dev.tunelab.eval.ProgressListener;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The strategy's logic against a deterministic fake model (the real-model check is in PromptRealModelTest). */
class PromptStrategyTest {
    private static Example ex(String id, String input, String target) {
        return new Example(id, input, target, Map.of());
    }

    private static final List<Example> TRAIN = List.of(ex("t1", "Awful.", "0"), ex("t2", "Superb.", "1"),
            ex("t3", "Bad.", "0"), ex("t4", "Nice.", "1"));
    private static final Split SENTIMENT = new Split("s", TaskType.CLASSIFICATION, List.of("0", "1"), TRAIN,
            List.of(), List.of(ex("q1", "Loved it.", "1")));

    @Test
    void likelihoodScoringPicksTheHigherScoringLabelAndRecordsScores() {
        // fake: " positive" scores -3 when the review says "Loved", else -9; " negative" always -5
        FakeLanguageModel lm = new FakeLanguageModel(
                (p, c) -> c.equals(" positive") ? (p.endsWith("Loved it.\nLabel:") ? -3.0 : -9.0) : -5.0,
                p -> "unused");
        try (PromptStrategy s = PromptStrategy.zeroShot(lm)) {
            s.prepare(SENTIMENT, ProgressListener.NONE);
            Prediction p = s.predict(ex("q1", "Loved it.", "1"));
            assertEquals("1", p.label());
            assertEquals("positive", p.text());
            assertEquals(Map.of("0", -5.0, "1", -3.0), p.labelScores());
            assertEquals(List.of(" negative", " positive"), lm.likelihoodCalls);
            String prompt = "Classify each text as negative or positive.\n\nText: Loved it.\nLabel:";
            assertEquals(prompt, s.prompt(ex("q1", "Loved it.", "1")));
            assertEquals(prompt.length() + 1, p.tokensIn());  // one token per char + BOS
            assertEquals(0, p.tokensOut());
            assertEquals("0", s.predict(ex("q2", "Meh.", "0")).label());
            assertEquals("zero-shot", s.name());
            assertEquals("prompting", s.kind());
        }
    }

    @Test
    void lengthNormalisationDividesByCompletionTokens() {
        // verbalizer words of different length: " ok" is 3 char-tokens, " terrible" is 9
        Verbalizer v = Verbalizer.of(Map.of("good", "ok"));
        Verbalizer two = Verbalizer.of(new java.util.LinkedHashMap<>(Map.of("good", "ok")) {{
            put("bad", "terrible");
        }});
        FakeLanguageModel lm = new FakeLanguageModel((p, c) -> c.equals(" ok") ? -6.0 : -9.0, p -> "");
        Split split = new Split("s", TaskType.CLASSIFICATION, List.of("good", "bad"), TRAIN, List.of(), List.of());
        try (PromptStrategy raw = PromptStrategy.builder().setModel(lm).optVerbalizer(two).build();
             PromptStrategy norm = PromptStrategy.builder().setModel(lm).optVerbalizer(two)
                     .optLengthNormalized(true).build()) {
            raw.prepare(split, ProgressListener.NONE);
            norm.prepare(split, ProgressListener.NONE);
            Prediction r = raw.predict(ex("q", "x", "good"));
            Prediction n = norm.predict(ex("q", "x", "good"));
            assertEquals("good", r.label());
            assertEquals(-6.0, r.labelScores().get("good"));
            assertEquals("bad", n.label());
            assertEquals(-6.0 / 3, n.labelScores().get("good"), 1e-12);
            assertEquals(-9.0 / 9, n.labelScores().get("bad"), 1e-12);
        }
        assertEquals("ok", v.word("good"));
    }

    @Test
    void generationScoringParsesAndKeepsUnparsedAnswers() {
        FakeLanguageModel lm = new FakeLanguageModel((p, c) -> 0.0,
                p -> p.endsWith("Loved it.\nLabel:") ? " Good!\n\nText: more" : " I cannot say.");
        try (PromptStrategy s = PromptStrategy.builder().setModel(lm)
                .optScoring(PromptStrategy.Scoring.GENERATE).build()) {
            s.prepare(SENTIMENT, ProgressListener.NONE);
            Prediction p = s.predict(ex("q1", "Loved it.", "1"));
            assertEquals("1", p.label());
            assertEquals("Good!", p.text());
            assertEquals(List.of("\n\n", "\nText:"), lm.generateOptions.get(0).stop());
            assertEquals(8, lm.generateOptions.get(0).maxNewTokens());
            assertEquals(" Good!".length(), p.tokensOut());
            Prediction u = s.predict(ex("q2", "Hmm.", "0"));
            assertEquals(AnswerParser.UNPARSED, u.label());
            assertEquals("I canno", u.text());  // " I canno": cut at 8 new (character) tokens
            assertTrue(lm.likelihoodCalls.isEmpty());
        }
    }

    @Test
    void fewShotUsesTrainDemonstrationsAndRecordsThem() {
        FakeLanguageModel lm = new FakeLanguageModel((p, c) -> c.length() * -1.0, p -> "");
        try (PromptStrategy s = PromptStrategy.builder().setModel(lm).optTemplate(PromptTemplate.sentiment())
                .optShots(2, new BalancedShotSelector(5)).build()) {
            s.prepare(SENTIMENT, ProgressListener.NONE);
            Prediction p = s.predict(ex("q1", "Loved it.", "1"));
            assertEquals(2, p.sources().size());
            String prompt = s.prompt(ex("q1", "Loved it.", "1"));
            for (String id : p.sources()) {
                Example d = TRAIN.stream().filter(e -> e.id().equals(id)).findFirst().orElseThrow();
                String word = d.target().equals("1") ? "positive" : "negative";
                assertTrue(prompt.contains("Review: " + d.input() + "\nSentiment: " + word + "\n\n"), prompt);
            }
            assertEquals("few-shot-k2-balanced", s.name());
            assertEquals(2, s.cost().extra().get("k"));
        }
    }

    @Test
    void generationTasksGenerateWithTheQuestionStop() {
        FakeLanguageModel lm = new FakeLanguageModel((p, c) -> 0.0, p -> " Rest and fluids.\nQuestion: next?");
        Split qa = new Split("qa", TaskType.GENERATION, List.of(), List.of(ex("a", "Q?", "A.")), List.of(),
                List.of());
        try (PromptStrategy s = PromptStrategy.builder().setModel(lm).optShots(1, new RandomShotSelector(1)).build()) {
            s.prepare(qa, ProgressListener.NONE);
            Prediction p = s.predict(ex("q", "How to treat flu?", "Rest."));
            assertEquals("Rest and fluids.", p.text());
            assertEquals(64, lm.generateOptions.get(0).maxNewTokens());  // the model's default
            assertEquals(List.of("\n\n", "\nQuestion:"), lm.generateOptions.get(0).stop());
            assertEquals(null, p.label());
            assertEquals(List.of("a"), p.sources());
            assertTrue(lm.generatePrompts.get(0).startsWith(
                    "Answer the question accurately and concisely.\n\nQuestion: Q?\nAnswer: A.\n\nQuestion: How"));
        }
    }

    @Test
    void chatModeScoresAfterTheAssistantCueWithoutALeadingSpace() {
        FakeLanguageModel lm = new FakeLanguageModel((p, c) -> c.equals("positive") ? -1.0 : -2.0, p -> "");
        try (PromptStrategy s = PromptStrategy.builder().setModel(lm).optChat(true).build()) {
            s.prepare(SENTIMENT, ProgressListener.NONE);
            assertEquals("1", s.predict(ex("q1", "Loved it.", "1")).label());
            assertEquals(List.of("negative", "positive"), lm.likelihoodCalls);
            assertTrue(s.prompt(ex("q1", "Loved it.", "1")).endsWith("<|assistant|>"));
        }
    }

    @Test
    void badConfigurationIsRejectedWithAReason() {
        FakeLanguageModel lm = new FakeLanguageModel((p, c) -> 0.0, p -> "");
        IllegalArgumentException k = assertThrows(IllegalArgumentException.class,
                () -> PromptStrategy.builder().setModel(lm).optShots(-1, new RandomShotSelector(1)).build());
        assertTrue(k.getMessage().contains("-1"));
        assertThrows(IllegalArgumentException.class, () -> PromptStrategy.builder().setModel(lm).optShots(2, null).build());
        assertThrows(IllegalStateException.class, () -> PromptStrategy.zeroShot(lm).predict(ex("q", "x", "1")));
        PromptStrategy nan = PromptStrategy.zeroShot(new FakeLanguageModel((p, c) -> Double.NaN, p -> ""));
        nan.prepare(SENTIMENT, ProgressListener.NONE);
        assertThrows(IllegalStateException.class, () -> nan.predict(ex("q", "x", "1")));
    }

    @Test
    void calibrationRemovesThePromptsLabelBias() {
        // the fake prefers " positive" by 3 nats whatever the query; the query's own evidence is +-1
        FakeLanguageModel lm = new FakeLanguageModel((p, c) -> {
            double bias = c.equals(" positive") ? -2.0 : -5.0;
            boolean saysBad = p.contains("Text: Awful");
            boolean saysGood = p.contains("Text: Lovely");
            double evidence = c.equals(" positive") ? (saysGood ? 1 : saysBad ? -1 : 0) : (saysBad ? 1 : saysGood ? -1 : 0);
            return bias + evidence;
        }, p -> "");
        Example bad = ex("b", "Awful.", "0");
        try (PromptStrategy plain = PromptStrategy.zeroShot(lm);
             PromptStrategy cal = PromptStrategy.builder().setModel(lm).optCalibrated(true).build()) {
            plain.prepare(SENTIMENT, ProgressListener.NONE);
            cal.prepare(SENTIMENT, ProgressListener.NONE);
            assertEquals("1", plain.predict(bad).label());  // -3 vs -4: the bias wins
            Prediction p = cal.predict(bad);
            // calibrated: (-5 + 1) - (-5) = 1 for negative, (-2 - 1) - (-2) = -1 for positive
            assertEquals(Map.of("0", 1.0, "1", -1.0), p.labelScores());
            assertEquals("0", p.label());
            assertEquals("1", cal.predict(ex("g", "Lovely.", "1")).label());
            long contentFreeCalls = lm.likelihoodCalls.size();
            cal.predict(ex("g2", "Lovely!", "1"));
            // zero-shot: the content-free scores are computed once and reused (2 calls per new query)
            assertEquals(contentFreeCalls + 2, lm.likelihoodCalls.size());
            assertEquals(true, cal.cost().extra().get("calibrated"));
        }
    }
}
