package dev.tunelab.prompt;

import dev.tunelab.data.Example;
import dev.tunelab.model.ChatTemplate;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PromptTemplateTest {
    private static final Verbalizer SENTIMENT = Verbalizer.forLabels(List.of("0", "1"));

    private static Example ex(String id, String input, String target) {
        return new Example(id, input, target, Map.of());
    }

    @Test
    void sentimentRendersDemonstrationsWithLabelWords() {
        String p = PromptTemplate.sentiment().render(ex("q", "Loved it.", "1"),
                List.of(ex("a", "Awful food.", "0"), ex("b", "Great staff!", "1")), SENTIMENT);
        assertEquals("Classify the sentiment of each review as negative or positive.\n\n"
                + "Review: Awful food.\nSentiment: negative\n\n"
                + "Review: Great staff!\nSentiment: positive\n\n"
                + "Review: Loved it.\nSentiment:", p);
    }

    @Test
    void zeroShotLeavesNoTraceOfExamples() {
        String p = PromptTemplate.questionAnswering().render(ex("q", "What is flu?", "A virus."), List.of(),
                Verbalizer.identity(List.of()));
        assertEquals("Answer the question accurately and concisely.\n\nQuestion: What is flu?\nAnswer:", p);
    }

    @Test
    void unknownPlaceholderIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PromptTemplate.builder()
                .setInputName("text").setPrompt("{examples}Text: {text} Context: {context}").build());
        assertTrue(e.getMessage().contains("unknown placeholder {context}"), e.getMessage());
        IllegalArgumentException d = assertThrows(IllegalArgumentException.class, () -> PromptTemplate.builder()
                .setInputName("text").setPrompt("{examples}Text: {text}").optDemonstration("T: {text} {anwser}")
                .build());
        assertTrue(d.getMessage().contains("missing placeholder {answer}"), d.getMessage());
    }

    @Test
    void missingInputPlaceholderIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PromptTemplate.builder()
                .setInputName("question").setPrompt("Answer: {text}").build());
        assertTrue(e.getMessage().contains("missing placeholder {question}"), e.getMessage());
    }

    @Test
    void declaredFieldsAreFilledAndAMissingFieldNamesTheExample() {
        PromptTemplate t = PromptTemplate.builder().setName("rag").setInputName("question").optFields("context")
                .setPrompt("Context: {context}\nQ: {question} {{literal}} {not a slot}\nA:").build();
        Example withCtx = new Example("e1", "Why?", "Because.", Map.of("context", "Facts."));
        assertEquals("Context: Facts.\nQ: Why? {literal} {not a slot}\nA:",
                t.render(withCtx, List.of(), Verbalizer.identity(List.of())));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> t.render(ex("e2", "Why?", "x"), List.of(), Verbalizer.identity(List.of())));
        assertTrue(e.getMessage().contains("{context}") && e.getMessage().contains("'e2'"), e.getMessage());
    }

    @Test
    void demonstrationsNeedADemonstrationFormat() {
        PromptTemplate t = PromptTemplate.builder().setInputName("text").setPrompt("Text: {text}\nLabel:").build();
        assertThrows(IllegalStateException.class,
                () -> t.render(ex("q", "x", "1"), List.of(ex("a", "y", "0")), SENTIMENT));
    }

    @Test
    void chatMessagesSplitInstructionDemonstrationsAndQuery() {
        List<ChatTemplate.Message> m = PromptTemplate.sentiment().messages(ex("q", "Loved it.", "1"),
                List.of(ex("a", "Awful food.", "0")), SENTIMENT);
        assertEquals(List.of(
                new ChatTemplate.Message("system", "Classify the sentiment of each review as negative or positive."),
                new ChatTemplate.Message("user", "Review: Awful food.\nSentiment:"),
                new ChatTemplate.Message("assistant", "negative"),
                new ChatTemplate.Message("user", "Review: Loved it.\nSentiment:")), m);
        String rendered = PromptTemplate.sentiment().renderChat(FakeLanguageModel.CHAT, ex("q", "Loved it.", "1"),
                List.of(), SENTIMENT);
        assertEquals("<|system|>Classify the sentiment of each review as negative or positive.<|end|>\n"
                + "<|user|>Review: Loved it.\nSentiment:<|end|>\n<|assistant|>", rendered);
    }

    @Test
    void stopStringsFollowTheQueryCue() {
        assertEquals(List.of("\n\n", "\nQuestion:"), PromptTemplate.questionAnswering().stopStrings());
        assertEquals(List.of("\n\n", "\nReview:"), PromptTemplate.sentiment().stopStrings());
    }

    @Test
    void labelWordsJoinNaturally() {
        assertEquals("a", PromptTemplate.joinWords(List.of("a")));
        assertEquals("a or b", PromptTemplate.joinWords(List.of("a", "b")));
        assertEquals("a, b or c", PromptTemplate.joinWords(List.of("a", "b", "c")));
    }
}
