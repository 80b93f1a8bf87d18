package dev.tunelab.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Loading the real shared datasets and rejecting (or skipping and reporting) malformed rows. */
class DatasetLoadingTest {
    @TempDir
    Path tmp;

    @Test
    void sentimentRecipeHasTheDocumentedShape() throws IOException {
        Dataset d = SharedData.cache().get("sentiment-uci");
        assertEquals(2000, d.size());
        assertEquals(TaskType.CLASSIFICATION, d.task());
        assertEquals(List.of("negative", "positive"), d.labels());
        // README: 500 positive and 500 negative per source file
        Map<String, Integer> counts = d.stats().labelCounts();
        assertEquals(1000, counts.get("negative"));
        assertEquals(1000, counts.get("positive"));
        assertEquals(500, d.filter("imdb positives", r -> r.get("source").equals("imdb_labelled")
                && r.get("label").equals("positive")).size());
        // a sentence holding U+0085 stays one row: lines split on '\n' only (the raw file has 1000 '\n')
        List<String> raw = List.of(Files.readString(SharedData.datasets().resolve("sentiment-uci/imdb_labelled.txt"),
                StandardCharsets.UTF_8).split("\n"));
        assertEquals(1000, raw.size());
        List<Example> ex = d.toExamples();
        assertEquals(raw.get(0).split("\t")[0], ex.get(0).input());
        assertEquals("negative", ex.get(0).target());
        assertEquals("imdb_labelled.txt:1", ex.get(0).id());
        assertTrue(ex.stream().anyMatch(e -> e.input().contains("\u0085")));
    }

    @Test
    void qaAndInstructionRecipesLoadWithRoles() {
        DatasetCache cache = SharedData.cache();
        Dataset medquad = cache.get("medquad");
        Dataset eval = cache.get("medquad-eval");
        assertEquals(16359, medquad.size());
        assertEquals(1039, eval.size());
        Dataset corpus = Datasets.medquadTrainingCorpus(cache);
        assertEquals(16359 - 1039, corpus.size());
        assertEquals(1039, corpus.cleaningReport().removedCount());
        Example q = eval.toExamples().get(0);
        assertEquals("What is (are) Age-related Macular Degeneration ?", q.input());
        assertEquals("0000001-1", q.field("qid"));

        assertEquals(111, cache.get("covid-faq").size());
        Dataset instr = cache.get("instructions-alpaca");
        assertEquals(1100, instr.size());
        List<Example> ex = instr.toExamples();
        long withInput = ex.stream().filter(e -> !e.field("input").isEmpty()).count();
        assertEquals(325, withInput); // README: 325 with input
        Example first = ex.get(0);
        assertEquals("Evaluate the following phrase by transforming it into the spelling given.\n\nfreind --> friend",
                first.input());
        assertEquals("instruction-data.json:2", first.id());
    }

    @Test
    void wrongColumnCountNamesFileAndLine() throws IOException {
        Path f = tmp.resolve("reviews.tsv");
        Files.writeString(f, "good film\t1\nbad film\t0\nno label here\ngreat\t1\textra\n");
        DataFormatException e = assertThrows(DataFormatException.class,
                () -> Dataset.fromTsv(f, "text", "label"));
        assertTrue(e.getMessage().contains("reviews.tsv:3"), e.getMessage());
        assertTrue(e.getMessage().contains("expected 2 columns"), e.getMessage());

        Dataset d = Dataset.reader(f).optHeader(false).optColumns("text", "label").optSkipBadRows(true).read();
        assertEquals(2, d.size());
        List<BadRow> bad = d.loadReport().skipped();
        assertEquals(2, bad.size());
        assertEquals(3, bad.get(0).line());
        assertEquals(4, bad.get(1).line());
        assertTrue(bad.get(1).reason().contains("found 3"), bad.get(1).reason());
        assertEquals(2, d.loadReport().rowsLoaded());
    }

    @Test
    void invalidUtf8IsReportedWithItsLine() throws IOException {
        Path f = tmp.resolve("bytes.jsonl");
        byte[] good = "{\"q\": \"caf\u00e9\"}\n".getBytes(StandardCharsets.UTF_8);
        byte[] bad = {'{', '"', 'q', '"', ':', ' ', '"', 'x', (byte) 0xC3, (byte) 0x28, '"', '}', '\n'};
        Files.write(f, concat(good, good, bad, good));
        DataFormatException e = assertThrows(DataFormatException.class, () -> Dataset.fromJsonl(f));
        assertTrue(e.getMessage().contains("bytes.jsonl:3"), e.getMessage());
        assertTrue(e.getMessage().contains("invalid UTF-8"), e.getMessage());
        Dataset d = Dataset.reader(f).optSkipBadRows(true).read();
        assertEquals(3, d.size());
        assertEquals("café", d.column("q").get(0));
        assertEquals(3, d.loadReport().skipped().get(0).line());
    }

    @Test
    void invalidJsonLineAndMissingFieldAreNamed() throws IOException {
        Path f = tmp.resolve("qa.jsonl");
        Files.writeString(f, "{\"question\": \"a?\", \"answer\": \"b\"}\n{\"question\": \"c?\", \"answer\": \n"
                + "{\"question\": \"d?\"}\n[1, 2]\n{\"question\": \"e?\", \"answer\": \"f\", \"n\": 3}\n");
        DataFormatException e = assertThrows(DataFormatException.class,
                () -> Dataset.reader(f).optRequiredFields("question", "answer").read());
        assertTrue(e.getMessage().contains("qa.jsonl:2") && e.getMessage().contains("invalid JSON"), e.getMessage());
        Dataset d = Dataset.reader(f).optRequiredFields("question", "answer").optSkipBadRows(true).read();
        assertEquals(List.of("a?", "e?"), d.column("question"));
        assertEquals("3", d.column("n").get(1));
        List<BadRow> bad = d.loadReport().skipped();
        assertEquals(List.of(2L, 3L, 4L), bad.stream().map(BadRow::line).toList());
        assertEquals("answer", bad.get(1).field());
        assertTrue(bad.get(1).reason().contains("missing required field 'answer'"), bad.get(1).reason());
        assertTrue(bad.get(2).reason().contains("expected a JSON object"), bad.get(2).reason());
    }

    @Test
    void csvQuotingHeaderAndAlpacaArrays() throws IOException {
        Path csv = tmp.resolve("faq.csv");
        Files.writeString(csv, "question,answer\n\"What, exactly?\",\"Line one\nline \"\"two\"\"\"\nplain,text\n"
                + "broken,\"x\"y\n");
        DataFormatException e = assertThrows(DataFormatException.class, () -> Dataset.fromCsv(csv));
        assertTrue(e.getMessage().contains("faq.csv:5"), e.getMessage());
        Dataset d = Dataset.reader(csv).optSkipBadRows(true).read();
        assertEquals(List.of("What, exactly?", "plain"), d.column("question"));
        assertEquals("Line one\nline \"two\"", d.column("answer").get(0));
        assertEquals("faq.csv:2", d.ids().get(0));
        assertEquals("faq.csv:4", d.ids().get(1));

        Path json = tmp.resolve("alpaca.json");
        Files.writeString(json, "[\n {\"instruction\": \"Add\", \"input\": \"1+1\", \"output\": \"2\"},\n"
                + " {\"instruction\": \"Greet\", \"output\": \"Hi\"},\n {\"instruction\": \"No output\"}\n]");
        DataFormatException missing = assertThrows(DataFormatException.class, () -> Dataset.fromAlpaca(json));
        assertTrue(missing.getMessage().contains("alpaca.json:4") && missing.getMessage().contains("'output'"),
                missing.getMessage());
        Dataset a = Dataset.reader(json).optFormat(FileFormat.ALPACA).optSkipBadRows(true).read();
        assertEquals(List.of("Add\n\n1+1", "Greet"), a.toExamples().stream().map(Example::input).toList());
        assertEquals("", a.column("input").get(1));

        Path broken = tmp.resolve("broken.json");
        Files.writeString(broken, "[\n {\"a\": 1},\n {\"a\": }\n]");
        DataFormatException be = assertThrows(DataFormatException.class,
                () -> Dataset.reader(broken).optSkipBadRows(true).read());
        assertTrue(be.getMessage().contains("broken.json:3"), be.getMessage());
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int o = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, o, p.length);
            o += p.length;
        }
        return out;
    }
}
