package dev.tunelab.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tunelab.data.PythonReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every metric against an independent reference: scikit-learn, a Python re-implementation of SQuAD's evaluation,
 * of sacreBLEU's 13a BLEU and of ROUGE (metrics_reference.py), python3-torch for perplexity, and published values.
 */
class MetricsTest {
    private static final double EPS = 1e-9;
    private static final List<List<String>> CLS_REFS = new ArrayList<>();
    private static final List<List<String>> CLS_PREDS = new ArrayList<>();
    private static final List<String[]> SQUAD = List.of(
            new String[]{"The Eiffel Tower!", "eiffel tower"}, new String[]{"an apple a day", "apple day"},
            new String[]{"", ""}, new String[]{"Paris", "London"}, new String[]{"the the the", "the"},
            new String[]{"Caf\u00e9, na\u00efve!", "caf\u00e9 na\u00efve"}, new String[]{"1,000 people", "1000 people"},
            new String[]{"Dr. Smith's dog", "dr smiths dog"}, new String[]{"\ttabs\nand  spaces", "tabs and spaces"},
            new String[]{"theater tickets", "the ater tickets"},
            new String[]{"Wash your hands often with soap and water for at least 20 seconds",
                    "Wash hands with soap and water for 20 seconds, especially after coughing"},
            new String[]{"a b c a b", "a b b c c"});
    private static final List<String> TOKENIZE = List.of("Hello, world! It's 3.14 and 1,000-2,000 (approx.)",
            "a&amp;b &lt;tag&gt; x-ray 5-6 {braces} [sq] a/b @home #tag $5 100%", "U.S.A. e-mail end.",
            "line one-\nline two\nthree <skipped> four");
    private static final String[][] ROUGE = {
            {"police kill the gunman", "police killed the gunman"},
            {"the gunman kill police", "police killed the gunman"},
            {"The CDC recommends washing hands with soap and water.", "Wash your hands with soap and water."},
            {"", "anything"},
            {"a a a b", "a b a b a"}};
    private static JsonNode ref;
    private static Map<String, Object> cases;

    @BeforeAll
    static void runReference() throws IOException {
        Random random = new Random(11);
        String[] three = {"negative", "neutral", "positive"};
        List<String> r1 = new ArrayList<>(), p1 = new ArrayList<>(), r2 = new ArrayList<>(), p2 = new ArrayList<>();
        List<String> r3 = new ArrayList<>(), p3 = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            String y = random.nextBoolean() ? "positive" : "negative";
            r1.add(y);
            p1.add(random.nextDouble() < 0.8 ? y : (y.equals("positive") ? "negative" : "positive"));
            String y3 = three[random.nextInt(3)];
            r2.add(y3);
            // never predicts "neutral" (zero division for its precision), sometimes answers "mixed" (no support)
            double u = random.nextDouble();
            p2.add(u < 0.1 ? "mixed" : u < 0.7 && !y3.equals("neutral") ? y3 : random.nextBoolean() ? "negative"
                    : "positive");
            r3.add(three[random.nextInt(3)]);
            p3.add("positive");
        }
        CLS_REFS.addAll(List.of(r1, r2, r3));
        CLS_PREDS.addAll(List.of(p1, p2, p3));
        cases = new LinkedHashMap<>();
        List<Map<String, Object>> cls = new ArrayList<>();
        for (int i = 0; i < CLS_REFS.size(); i++) {
            TreeSet<String> labels = new TreeSet<>(CLS_REFS.get(i));
            labels.addAll(CLS_PREDS.get(i));
            cls.add(Map.of("refs", CLS_REFS.get(i), "preds", CLS_PREDS.get(i), "labels", new ArrayList<>(labels)));
        }
        cases.put("classification", cls);
        cases.put("squad", SQUAD);
        cases.put("tok13a", TOKENIZE);
        cases.put("bleu", List.of(
                Map.of("hyps", sacreHyps(), "refs", sacreRefs(), "smooth", "exp"),
                Map.of("hyps", List.of("the cat sat on the mat"), "refs", List.of(List.of("the cat is on the mat")),
                        "smooth", "none"),
                Map.of("hyps", List.of("the cat sat on the mat"), "refs", List.of(List.of("the cat is on the mat")),
                        "smooth", "exp"),
                Map.of("hyps", List.of("Wash your hands often, for 20 seconds.", "Stay home when you are sick.",
                                "Masks help.", "COVID-19 spreads mainly between people who are in close contact."),
                        "refs", List.of(List.of("Wash your hands often with soap and water for at least 20 seconds."),
                                List.of("Stay home if you are sick, except to get medical care."),
                                List.of("Cloth face coverings may help prevent people who have COVID-19 from spreading it."),
                                List.of("The virus is thought to spread mainly between people who are in close contact "
                                        + "with one another (within about 6 feet).")), "smooth", "none")));
        List<List<String>> rouge = new ArrayList<>();
        for (String[] r : ROUGE) {
            rouge.add(List.of(r));
        }
        cases.put("rouge", rouge);
        cases.put("perplexity_seed", 5);
        cases.put("latencies", List.of(12.0, 3.5, 7.25, 100.0, 8.0, 9.5, 4.0));
        Path in = Files.createTempFile("metric-cases-", ".json");
        try {
            new ObjectMapper().writeValue(in.toFile(), cases);
            ref = PythonReference.run(MetricsTest.class, "metrics_reference.py", in.toString());
        } finally {
            Files.deleteIfExists(in);
        }
    }

    private static List<String> sacreHyps() {
        return List.of("The dog bit the man.", "It wasn't surprising.", "The man had just bitten him.");
    }

    /** sacreBLEU's README example, references regrouped per hypothesis. */
    private static List<List<String>> sacreRefs() {
        return List.of(List.of("The dog bit the man.", "The dog had bit the man."),
                List.of("It was not unexpected.", "No one was surprised."),
                List.of("The man bit him first.", "The man had bitten the dog."));
    }

    @Test
    void classificationMatchesScikitLearn() {
        for (int i = 0; i < CLS_REFS.size(); i++) {
            ClassificationMetrics m = ClassificationMetrics.of(CLS_REFS.get(i), CLS_PREDS.get(i));
            JsonNode r = ref.get("classification").get(i);
            assertEquals(r.get("accuracy").asDouble(), m.accuracy(), EPS);
            for (int k = 0; k < m.labels().size(); k++) {
                JsonNode pc = r.get("per_class").get(k);
                ClassificationMetrics.ClassScore s = m.perClass().get(k);
                assertEquals(pc.get(0).asDouble(), s.precision(), EPS, "precision " + s.label());
                assertEquals(pc.get(1).asDouble(), s.recall(), EPS, "recall " + s.label());
                assertEquals(pc.get(2).asDouble(), s.f1(), EPS, "f1 " + s.label());
                assertEquals(pc.get(3).asInt(), s.support());
                for (int j = 0; j < m.labels().size(); j++) {
                    assertEquals(r.get("confusion").get(k).get(j).asInt(), m.confusion()[k][j]);
                }
            }
            assertAverage(r.get("macro"), m.macro());
            assertAverage(r.get("micro"), m.micro());
            assertAverage(r.get("weighted"), m.weighted());
        }
        ClassificationMetrics zeroDiv = ClassificationMetrics.of(CLS_REFS.get(1), CLS_PREDS.get(1));
        assertEquals(0.0, zeroDiv.score("neutral").precision()); // never predicted
        assertEquals(0, zeroDiv.score("mixed").support());       // never a reference
    }

    private static void assertAverage(JsonNode expected, ClassificationMetrics.Average actual) {
        assertEquals(expected.get(0).asDouble(), actual.precision(), EPS);
        assertEquals(expected.get(1).asDouble(), actual.recall(), EPS);
        assertEquals(expected.get(2).asDouble(), actual.f1(), EPS);
    }

    @Test
    void squadExactMatchAndF1MatchTheOfficialNormalisation() {
        for (int i = 0; i < SQUAD.size(); i++) {
            JsonNode r = ref.get("squad").get(i);
            String[] c = SQUAD.get(i);
            assertEquals(r.get(2).asText(), TextMetrics.normalizeAnswer(c[0]), "normalised " + c[0]);
            assertEquals(r.get(0).asDouble() == 1.0, TextMetrics.exactMatch(c[0], c[1]), c[0]);
            assertEquals(r.get(1).asDouble(), TextMetrics.tokenF1(c[0], c[1]), EPS, c[0]);
        }
        // hand-checked: "a cat sat" vs "the cat sat on mat" → {cat, sat} shared: P = 2/2, R = 2/4, F1 = 2/3
        assertEquals(2.0 / 3, TextMetrics.tokenF1("a cat sat", "the cat sat on mat"), EPS);
    }

    @Test
    void bleuMatchesPublishedValuesAndTheReference() {
        // sacreBLEU README: BLEU = 48.53 82.4/50.0/45.5/37.5 (BP = 0.943 ratio = 0.944 hyp_len = 17 ref_len = 18)
        Bleu.Score s = Bleu.corpus(sacreHyps(), sacreRefs(), Bleu.Smoothing.EXP);
        assertEquals("BLEU = 48.53 82.4/50.0/45.5/37.5 (BP = 0.943 ratio = 0.944 hyp_len = 17 ref_len = 18)",
                s.toString());
        // hand-checked: p = 5/6, 3/5, 1/4, 0/3 → 0 without smoothing; exp smoothing sets p4 = 1/(2·3)
        Bleu.Score cat = Bleu.corpus(List.of("the cat sat on the mat"), List.of(List.of("the cat is on the mat")),
                Bleu.Smoothing.EXP);
        assertEquals(100 * Math.pow(5.0 / 6 * 3.0 / 5 * 1.0 / 4 * 1.0 / 6, 0.25), cat.score(), 1e-9);
        assertEquals(cat.score(), Bleu.corpus(List.of("the cat sat on the mat"), List.of("the cat is on the mat")).score(),
                1e-12, "the default is sacreBLEU's default: exp smoothing");
        assertEquals(0.0, Bleu.corpus(List.of("the cat sat on the mat"), List.of(List.of("the cat is on the mat")),
                Bleu.Smoothing.NONE).score());
        List<Map<String, Object>> bleuCases = castList(cases.get("bleu"));
        for (int i = 0; i < bleuCases.size(); i++) {
            Map<String, Object> c = bleuCases.get(i);
            Bleu.Score b = Bleu.corpus(castList(c.get("hyps")), castList(c.get("refs")),
                    c.get("smooth").equals("exp") ? Bleu.Smoothing.EXP : Bleu.Smoothing.NONE);
            JsonNode r = ref.get("bleu").get(i);
            assertEquals(r.get("score").asDouble(), b.score(), 1e-9, "case " + i);
            assertEquals(r.get("bp").asDouble(), b.bp(), 1e-12);
            assertEquals(r.get("hyp_len").asInt(), b.hypLength());
            assertEquals(r.get("ref_len").asInt(), b.refLength());
            for (int n = 0; n < 4; n++) {
                assertEquals(r.get("precisions").get(n).asDouble(), b.precisions()[n], 1e-9);
            }
        }
        assertTrue(ref.get("bleu").get(3).get("score").asDouble() > 0);
        for (int i = 0; i < TOKENIZE.size(); i++) {
            List<String> expected = new ArrayList<>();
            ref.get("tok13a").get(i).forEach(t -> expected.add(t.asText()));
            assertEquals(expected, Bleu.tokenize13a(TOKENIZE.get(i)));
        }
    }

    @Test
    void rougeMatchesLinsExampleAndTheReference() {
        // Lin (2004) §3.1: against "police killed the gunman", S2 "police kill the gunman" has LCS 3 → 3/4,
        // S3 "the gunman kill police" has LCS 2 → 2/4; both share one bigram ("the gunman") → ROUGE-2 = 1/3
        assertEquals(0.75, Rouge.rougeL(ROUGE[0][0], ROUGE[0][1]).f(), EPS);
        assertEquals(0.5, Rouge.rougeL(ROUGE[1][0], ROUGE[1][1]).f(), EPS);
        assertEquals(1.0 / 3, Rouge.rougeN(ROUGE[0][0], ROUGE[0][1], 2).f(), EPS);
        assertEquals(1.0 / 3, Rouge.rougeN(ROUGE[1][0], ROUGE[1][1], 2).f(), EPS);
        for (int i = 0; i < ROUGE.length; i++) {
            JsonNode r = ref.get("rouge").get(i);
            assertEquals(r.get(0).asDouble(), Rouge.rougeN(ROUGE[i][0], ROUGE[i][1], 1).f(), EPS, "rouge1 " + i);
            assertEquals(r.get(1).asDouble(), Rouge.rougeN(ROUGE[i][0], ROUGE[i][1], 2).f(), EPS, "rouge2 " + i);
            assertEquals(r.get(2).asDouble(), Rouge.rougeL(ROUGE[i][0], ROUGE[i][1]).f(), EPS, "rougeL " + i);
        }
    }

    @Test
    void perplexityMatchesTorchCrossEntropy() {
        JsonNode p = ref.get("perplexity");
        double[] lp = new double[p.get("logprobs").size()];
        for (int i = 0; i < lp.length; i++) {
            lp[i] = p.get("logprobs").get(i).asDouble();
        }
        assertEquals(p.get("ppl").asDouble(), TextMetrics.perplexity(lp), 1e-9 * p.get("ppl").asDouble());
        assertThrows(IllegalArgumentException.class, () -> TextMetrics.perplexity(new double[0]));
        assertThrows(IllegalArgumentException.class, () -> TextMetrics.perplexity(new double[]{Double.NaN}));
        double[] sorted = {3.5, 4.0, 7.25, 8.0, 9.5, 12.0, 100.0};
        assertEquals(ref.get("percentile").get(0).asDouble(), Evaluation.percentile(sorted, 50), EPS);
        assertEquals(ref.get("percentile").get(1).asDouble(), Evaluation.percentile(sorted, 95), EPS);
        assertFalse(Double.isNaN(Evaluation.percentile(sorted, 95)));
        assertArrayEquals(new double[]{3.5}, new double[]{Evaluation.percentile(new double[]{3.5}, 95)});
    }

    @SuppressWarnings("unchecked")
    private static <T> List<T> castList(Object o) {
        return (List<T>) o;
    }
}
