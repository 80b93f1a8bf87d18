package dev.tunelab.data;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SplitAndTemplateTest {
    @Test
    void stratifiedSplitKeepsLabelSharesAndIsSeeded() {
        Dataset d = SharedData.cache().get("sentiment-uci");
        Split s = d.splitStratified(0.8, 0.1, 0.1, 7);
        assertEquals(1600, s.train().size());
        assertEquals(200, s.validation().size());
        assertEquals(200, s.test().size());
        assertEquals(List.of("negative", "positive"), s.labels());
        assertEquals(100, s.test().stream().filter(e -> e.target().equals("positive")).count());
        assertEquals(100, s.validation().stream().filter(e -> e.target().equals("negative")).count());
        Set<String> all = new HashSet<>();
        for (List<Example> part : List.of(s.train(), s.validation(), s.test())) {
            part.forEach(e -> assertTrue(all.add(e.id()), "id twice: " + e.id()));
        }
        assertEquals(new HashSet<>(d.ids()), all);
        Split again = d.splitStratified(0.8, 0.1, 0.1, 7);
        assertEquals(s.test().stream().map(Example::id).toList(), again.test().stream().map(Example::id).toList());
        Split other = d.splitStratified(0.8, 0.1, 0.1, 8);
        assertNotEquals(s.test().stream().map(Example::id).toList(), other.test().stream().map(Example::id).toList());
        Split random = d.split(0.5, 0.25, 0.25, 1);
        assertEquals(List.of(1000, 500, 500), List.of(random.train().size(), random.validation().size(),
                random.test().size()));
        assertThrows(IllegalArgumentException.class, () -> d.split(0.8, 0.3, 0.1, 1));
    }

    @Test
    void leakageCheckFindsNormalisedRepeats() {
        Dataset d = Dataset.of(tech.tablesaw.api.Table.create("t",
                tech.tablesaw.api.StringColumn.create("text", "Great film!", "awful plot", "Fine acting", "meh"),
                tech.tablesaw.api.StringColumn.create("label", "1", "0", "1", "0"))).text("text").label("label");
        List<Example> ex = d.toExamples();
        Example leaked = new Example("t-9", "  great   FILM ", "1", Map.of());
        Split split = new Split("s", TaskType.CLASSIFICATION, List.of("0", "1"), ex, List.of(), List.of(leaked,
                new Example("t-10", "new text", "0", Map.of())));
        Leakage.Report r = Leakage.check(split);
        assertFalse(r.clean());
        assertEquals(1, r.leaks().size());
        assertEquals(new Leakage.Leak("test", "t-9", "row-0", "great film"), r.leaks().get(0));
        assertEquals(List.of("t-10"), r.removeFrom(split).test().stream().map(Example::id).toList());
        // real data: exact de-duplication leaves sentences that differ only in case/punctuation, which the check
        // finds; removing near duplicates at Jaccard 1.0 (same normalised shingles) leaves none
        Dataset exact = SharedData.cache().get("sentiment-uci").clean().dropDuplicates("text");
        Split exactSplit = exact.splitStratified(0.8, 0.1, 0.1, 3);
        Leakage.Report exactReport = Leakage.check(exactSplit);
        assertFalse(exactReport.clean());
        assertTrue(Leakage.check(exactReport.removeFrom(exactSplit)).clean());
        Dataset near = exact.dropNearDuplicates(1.0, "text");
        assertTrue(Leakage.check(near.splitStratified(0.8, 0.1, 0.1, 3)).clean());
    }

    @Test
    void templatesRenderAlpacaChatMlAndRejectUnknownPlaceholders() {
        Dataset d = SharedData.cache().get("instructions-alpaca").head(3);
        Dataset t = d.template(PromptTemplate.alpaca(), PromptTemplate.of("{output}"));
        assertEquals("Below is an instruction that describes a task, paired with an input that provides further "
                + "context. Write a response that appropriately completes the request.\n\n### Instruction:\n"
                + "Evaluate the following phrase by transforming it into the spelling given.\n\n### Input:\n"
                + "freind --> friend\n\n### Response:\n", t.column("prompt").get(0));
        assertEquals(d.column("output").get(0), t.column("completion").get(0));
        String noInput = t.column("prompt").get(2);
        assertEquals("Below is an instruction that describes a task. Write a response that appropriately completes "
                + "the request.\n\n### Instruction:\n" + d.column("instruction").get(2) + "\n\n### Response:\n", noInput);
        assertTrue(d.column("input").get(2).isEmpty());

        Dataset qa = SharedData.cache().get("covid-faq").head(1);
        Dataset chat = qa.template(PromptTemplate.chatML("You answer {briefly}.", "question"),
                PromptTemplate.chatMLCompletion("answer"));
        assertEquals("<|im_start|>system\nYou answer {briefly}.<|im_end|>\n<|im_start|>user\nWhat is a novel "
                + "coronavirus?<|im_end|>\n<|im_start|>assistant\n", chat.column("prompt").get(0));
        assertTrue(chat.column("completion").get(0).endsWith("<|im_end|>"));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> qa.template(PromptTemplate.of("Q: {qestion}\nA:"), PromptTemplate.of("{answer}")));
        assertTrue(e.getMessage().contains("{qestion}"), e.getMessage());
        assertEquals("Q: x {literal}", PromptTemplate.of("Q: {q} {{literal}}").render(Map.of("q", "x")));
        assertThrows(IllegalArgumentException.class, () -> PromptTemplate.of("open {brace"));
    }
}
