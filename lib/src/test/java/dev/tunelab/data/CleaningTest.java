package dev.tunelab.data;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tunelab.model.TextTokenizer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Cleaning steps against hand-checked strings and, for de-duplication and lengths, a Python reference. */
class CleaningTest {
    private static JsonNode reference;

    @BeforeAll
    static void reference() {
        reference = PythonReference.run(CleaningTest.class, "dataset_reference.py", SharedData.datasets().toString());
    }

    @Test
    void textCleanerSteps() {
        TextCleaner c = TextCleaner.standard();
        assertEquals("\u00e9t\u00e9", c.apply("e\u0301te\u0301"));          // NFC composes e + combining acute
        assertEquals("a b\nc\n\nd", c.apply("  a\u00a0\t b \r\nc\n\n\n\nd \u200b"));
        assertEquals("bell rang", c.apply("bell\u0007rang"));
        assertEquals("Fish & chips <3 \u2014 caf\u00e9 \u00a9 A",
                TextCleaner.none().withHtmlStripping().withPiiMasking().apply(
                        "<p>Fish &amp; chips &lt;3 &mdash; caf&#233; &copy; &#x41;</p>").strip());
        assertEquals("Hello\n world", TextCleaner.stripHtml("<div>Hello<br/> <b>world</b><script>var x = 1;</script>")
                .strip().replaceAll(" +", " "));
        assertEquals("Write to [EMAIL] or call [PHONE] or [PHONE]; 2019 had 365 days",
                TextCleaner.standard().withPiiMasking().apply(
                        "Write to jane.doe+cdc@mail.example.org or call (555) 123-4567 or +1 800 232 4636; "
                                + "2019 had 365 days"));
    }

    @Test
    void exactDuplicatesMatchTheReadmeAndPython() {
        Dataset d = SharedData.cache().get("instructions-alpaca");
        Dataset dedup = d.dropDuplicates("instruction", "input");
        int expected = reference.get("exact_instruction_input_duplicates").asInt();
        assertEquals(25, expected); // README: 25 duplicates
        assertEquals(expected, d.size() - dedup.size());
        CleaningReport.Step step = dedup.cleaningReport().steps().get(0);
        assertEquals(expected, step.removed().size());
        assertTrue(step.removed().get(0).reason().startsWith("duplicate of instruction-data.json:"));
    }

    @Test
    void nearDuplicatesMatchABruteForcePythonReference() {
        Dataset d = SharedData.cache().get("instructions-alpaca");
        Dataset near = d.dropNearDuplicates(0.7, "instruction");
        List<String> ids = d.ids();
        List<String> removed = near.cleaningReport().removed().stream().map(CleaningReport.RemovedRow::id).toList();
        List<String> expectedRemoved = new ArrayList<>();
        for (JsonNode r : reference.get("near_removed")) {
            expectedRemoved.add(ids.get(r.get(0).asInt()));
        }
        assertTrue(expectedRemoved.size() > 50, "reference found " + expectedRemoved.size());
        assertEquals(expectedRemoved, removed);
        JsonNode first = reference.get("near_removed").get(0);
        String reason = near.cleaningReport().removed().get(0).reason();
        assertEquals(String.format(java.util.Locale.ROOT, "near duplicate of %s (jaccard %.3f)",
                ids.get(first.get(1).asInt()), first.get(2).asDouble()), reason);
        assertEquals(d.size() - expectedRemoved.size(), near.size());
    }

    @Test
    void lengthFiltersAndStatsAgainstNumpy() {
        Dataset d = SharedData.cache().get("sentiment-uci");
        JsonNode chars = reference.get("sentiment_chars");
        DatasetStats stats = d.stats();
        List<Integer> lengths = stats.charLengths("text");
        assertEquals(reference.get("sentiment_rows").asInt(), lengths.size());
        var table = stats.lengthTable();
        assertEquals(chars.get("mean").asDouble(), table.doubleColumn("mean").get(0), 1e-9);
        assertEquals(chars.get("p50").asDouble(), table.doubleColumn("p50").get(0), 1e-9);
        assertEquals(chars.get("p95").asDouble(), table.doubleColumn("p95").get(0), 1e-9);
        assertEquals(chars.get("max").asInt(), table.intColumn("max").get(0));
        int min = chars.get("min").asInt();
        Dataset filtered = d.filterChars("text", min + 1, 100);
        long tooShort = lengths.stream().filter(n -> n < min + 1).count();
        long tooLong = lengths.stream().filter(n -> n > 100).count();
        assertEquals(d.size() - tooShort - tooLong, filtered.size());
        assertEquals(tooShort + tooLong, filtered.cleaningReport().removedCount());
        assertTrue(filtered.cleaningReport().removed().stream().anyMatch(r -> r.reason().contains("> 100")));
    }

    @Test
    void tokenFilterUsesTheTokenizerAndReportsRows() {
        Dataset d = Dataset.of(tech.tablesaw.api.Table.create("t",
                tech.tablesaw.api.StringColumn.create("text", "one", "one two three", "a b c d e f g", "")));
        Dataset f = d.filterTokens("text", new SpaceTokenizer(), 1, 5);
        assertEquals(List.of("one", "one two three"), f.column("text"));
        List<CleaningReport.RemovedRow> removed = f.cleaningReport().removed();
        assertEquals(List.of("row-2", "row-3"), removed.stream().map(CleaningReport.RemovedRow::id).toList());
        assertEquals("'text' has 7 tokens > 5", removed.get(0).reason());
        assertEquals("'text' has 0 tokens < 1", removed.get(1).reason());
        Dataset empty = d.dropEmpty();
        assertEquals(3, empty.size());
    }

    /** Splits on single spaces: enough to check that token filters count the tokenizer's ids. */
    static final class SpaceTokenizer implements TextTokenizer {
        @Override
        public int[] encode(String text, boolean addSpecial) {
            return text.isEmpty() ? new int[0] : new int[text.split(" ").length];
        }

        @Override
        public String decode(int[] ids) {
            return "";
        }

        @Override
        public int vocabSize() {
            return 1;
        }

        @Override
        public int bosId() {
            return -1;
        }

        @Override
        public int eosId() {
            return -1;
        }

        @Override
        public int padId() {
            return -1;
        }
    }
}
