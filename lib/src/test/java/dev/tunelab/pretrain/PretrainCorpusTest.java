package dev.tunelab.pretrain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pretraining corpus never contains evaluation text, and records its inputs faithfully. */
class PretrainCorpusTest {
    static final Path DATASETS = Path.of(System.getProperty("tunelab.repo", ".."), "..", "shared", "datasets");
    static PretrainCorpus corpus;

    @BeforeAll
    static void build() {
        corpus = PretrainCorpus.build(DATASETS);
    }

    @Test
    void noEvaluationAnswerOrSentimentOrCovidTextLeaksIn() throws Exception {
        ObjectMapper json = new ObjectMapper();
        List<String> all = new ArrayList<>(corpus.train());
        all.addAll(corpus.validation());
        Set<String> lines = new HashSet<>();
        for (String doc : all) {
            lines.addAll(List.of(doc.split("\n")));
            lines.add(doc.substring(doc.indexOf("\nAnswer: ") + 1));
        }
        int checked = 0;
        for (String line : Files.readAllLines(DATASETS.resolve("medquad/medquad_seniorhealth_cdc.jsonl"))) {
            JsonNode r = json.readTree(line);
            String answer = PretrainCorpus.normalise(r.get("answer").asText());
            String first = answer.split("\n")[0];
            // every line of a training document is a set member: an evaluation answer's opening line must not be
            if (first.length() >= 60) {
                assertFalse(lines.contains(first), "evaluation answer leaked: " + first);
                checked++;
            }
            assertFalse(lines.contains("Answer: " + answer), "evaluation answer leaked: " + answer);
        }
        assertTrue(checked > 500, "checked " + checked);
        for (String line : Files.readAllLines(DATASETS.resolve("sentiment-uci/yelp_labelled.txt"))) {
            String sentence = line.split("\t")[0].strip();
            assertFalse(lines.contains(sentence), "sentiment sentence leaked: " + sentence);
        }
        for (String line : Files.readAllLines(DATASETS.resolve("covid-faq-cdc/faq_covidbert_cdc_only.jsonl"))) {
            String answer = PretrainCorpus.normalise(json.readTree(line).path("answer").asText());
            assertFalse(lines.contains(answer.split("\n")[0]), "COVID FAQ leaked: " + answer);
        }
    }

    @Test
    void countsShasAndSplitAreRecorded() throws Exception {
        assertEquals(3, corpus.sources().size());
        PretrainCorpus.SourceFile medquad = corpus.sources().get(0);
        assertEquals(16359, medquad.rows());
        assertEquals(1039, corpus.sources().get(1).rows());
        assertEquals(1100, corpus.sources().get(2).rows());
        Process p = new ProcessBuilder("sha256sum", DATASETS.resolve(medquad.path()).toString()).start();
        String sum = new String(p.getInputStream().readAllBytes()).split("\\s+")[0];
        assertEquals(0, p.waitFor());
        assertEquals(sum, medquad.sha256());
        int documents = corpus.train().size() + corpus.validation().size();
        assertEquals(medquad.rowsUsed() + corpus.sources().get(2).rowsUsed(), documents);
        double share = corpus.validation().size() / (double) documents;
        assertTrue(share > 0.008 && share < 0.025, "validation share " + share);
        Set<String> train = new HashSet<>(corpus.train());
        assertTrue(corpus.validation().stream().noneMatch(train::contains));
        assertTrue(corpus.validation().stream().allMatch(PretrainCorpus::isValidation));
        assertTrue(corpus.train().stream().noneMatch(PretrainCorpus::isValidation));
    }

    @Test
    void normaliseCollapsesIndentationAndBlankLines() {
        assertEquals("Key Points\n- a b\nc", PretrainCorpus.normalise("Key Points\n        - a    b\n\n   \n c  "));
    }

    @Test
    void missingFieldIsReportedWithFileName(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("medquad"));
        Files.createDirectories(dir.resolve("instructions-rasbt"));
        Files.writeString(dir.resolve("medquad/medquad_seniorhealth_cdc.jsonl"), "{\"qid\":\"1\",\"question\":\"q\"}\n");
        Files.writeString(dir.resolve("medquad/medquad_all_with_answers.jsonl"), "");
        Files.writeString(dir.resolve("instructions-rasbt/instruction-data.json"), "[]");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PretrainCorpus.build(dir));
        assertTrue(e.getMessage().contains("medquad_seniorhealth_cdc.jsonl") && e.getMessage().contains("'answer'"),
                e.getMessage());
    }

    @Test
    void optionsParseAndRenderTheReproduceCommand() {
        PretrainOptions o = PretrainOptions.parse(new String[] {"--minutes", "30", "--seed", "7", "--layers", "2"});
        assertEquals(30.0, o.minutes());
        assertEquals("--minutes 0 --steps 500 --stop-at-step 420 --replan 100:450 --seed 7 --layers 2",
                o.reproducing(500, List.of(new int[] {100, 450}), 420).commandLine());
        PretrainOptions again = PretrainOptions.parse(o.reproducing(500, List.of(new int[] {100, 450}), 420)
                .commandLine().split(" "));
        assertEquals(450, again.replans().get(0)[1]);
        assertEquals(420, again.stopAtStep());
        assertThrows(IllegalArgumentException.class, () -> PretrainOptions.parse(new String[] {"--replan", "150:100"}));
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> PretrainOptions.parse(new String[] {"--layers", "two"}));
        assertTrue(bad.getMessage().contains("--layers"), bad.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PretrainOptions.parse(new String[] {"--bogus", "1"}));
        assertThrows(IllegalArgumentException.class, () -> PretrainOptions.parse(new String[] {"--minutes", "0"}));
    }
}
