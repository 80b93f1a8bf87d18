package dev.tunelab.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class HfTokenizerTest {
    static {
        DjlSetup.ensure();
    }

    @TempDir
    Path dir;

    /** A word-level tokenizer.json written by hand: the ids follow from its vocabulary and template. */
    @Test
    void wordLevelTokenizerWithTemplateAndSpecialTokens() throws Exception {
        Files.writeString(dir.resolve("tokenizer.json"), """
                {"version": "1.0", "truncation": null, "padding": null,
                 "added_tokens": [
                   {"id": 0, "content": "<s>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
                   {"id": 1, "content": "</s>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true}],
                 "normalizer": null,
                 "pre_tokenizer": {"type": "Whitespace"},
                 "post_processor": {"type": "TemplateProcessing",
                   "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
                   "pair": [{"Sequence": {"id": "A", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}}],
                   "special_tokens": {"<s>": {"id": "<s>", "ids": [0], "tokens": ["<s>"]}}},
                 "decoder": null,
                 "model": {"type": "WordLevel", "vocab": {"<s>": 0, "</s>": 1, "<unk>": 2, "hello": 3, "world": 4, "!": 5},
                           "unk_token": "<unk>"}}
                """);
        Files.writeString(dir.resolve("tokenizer_config.json"),
                "{\"bos_token\": \"<s>\", \"eos_token\": {\"content\": \"</s>\"}, \"pad_token\": null}");
        try (HfTokenizer t = HfTokenizer.load(dir)) {
            assertArrayEquals(new int[] {0, 3, 4, 5}, t.encode("hello world!", true));
            assertArrayEquals(new int[] {3, 2, 5}, t.encode("hello there!", false));
            assertEquals("hello world", t.decode(new int[] {0, 3, 4}));
            assertEquals(0, t.bosId());
            assertEquals(1, t.eosId());
            assertEquals(-1, t.padId());
            assertEquals(6, t.vocabSize());
            String longText = "hello ".repeat(700);
            assertEquals(700, t.encode(longText, false).length, "no truncation at 512");
        }
    }

    /** The BERT uncased vocabulary's published ids: [CLS]=101, hello=7592, world=2088, [SEP]=102. */
    @Test
    void realWordPieceTokenizerJson() throws Exception {
        try (InputStream in = getClass().getResourceAsStream("/all-minilm-l6-v2-q-tokenizer.json")) {
            Files.copy(in, dir.resolve("tokenizer.json"));
        }
        try (HfTokenizer t = HfTokenizer.load(dir)) {
            assertArrayEquals(new int[] {101, 7592, 2088, 102}, t.encode("Hello world", true));
            assertArrayEquals(new int[] {7592, 2088}, t.encode("Hello world", false));
            assertEquals(30522, t.vocabSize());
        }
    }
}
