package dev.tunelab.model.bpe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes a {@link BpeTokenizer} as Hugging Face {@code tokenizer.json} (model "BPE", ByteLevel
 * pre-tokenizer and decoder, a template post-processor that prepends {@code <|endoftext|>} as BOS) plus
 * {@code tokenizer_config.json}. Files are written to a temporary name and renamed.
 */
public final class TokenizerFiles {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private TokenizerFiles() {}

    public static void write(BpeTokenizer tokenizer, Path dir, int modelMaxLength) {
        try {
            Files.createDirectories(dir);
            writeAtomically(dir.resolve("tokenizer.json"), JSON.writeValueAsString(tokenizerJson(tokenizer)));
            writeAtomically(dir.resolve("tokenizer_config.json"),
                    JSON.writeValueAsString(tokenizerConfig(tokenizer, modelMaxLength)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write tokenizer files to " + dir, e);
        }
    }

    static Map<String, Object> tokenizerJson(BpeTokenizer tokenizer) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("version", "1.0");
        root.put("truncation", null);
        root.put("padding", null);
        List<Object> added = new ArrayList<>();
        tokenizer.specials().forEach((content, id) -> {
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("id", id);
            t.put("content", content);
            t.put("single_word", false);
            t.put("lstrip", false);
            t.put("rstrip", false);
            t.put("normalized", false);
            t.put("special", true);
            added.add(t);
        });
        root.put("added_tokens", added);
        root.put("normalizer", null);
        root.put("pre_tokenizer", byteLevel(false));
        root.put("post_processor", tokenizer.addsBos() ? bosTemplate(tokenizer) : byteLevel(true));
        root.put("decoder", byteLevel(true));
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("type", "BPE");
        model.put("dropout", null);
        model.put("unk_token", null);
        model.put("continuing_subword_prefix", null);
        model.put("end_of_word_suffix", null);
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        model.put("ignore_merges", false);
        Map<String, Integer> vocab = new LinkedHashMap<>();
        List<String> tokens = tokenizer.vocab();
        for (int i = 0; i < tokens.size(); i++) {
            vocab.put(tokens.get(i), i);
        }
        model.put("vocab", vocab);
        List<String> merges = new ArrayList<>();
        for (String[] m : tokenizer.merges()) {
            merges.add(m[0] + " " + m[1]);
        }
        model.put("merges", merges);
        root.put("model", model);
        return root;
    }

    private static Map<String, Object> byteLevel(boolean prefixSpace) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "ByteLevel");
        m.put("add_prefix_space", prefixSpace);
        m.put("trim_offsets", true);
        m.put("use_regex", true);
        return m;
    }

    private static Map<String, Object> bosTemplate(BpeTokenizer tokenizer) {
        String bos = BpeTokenizer.END_OF_TEXT;
        Map<String, Object> special = Map.of("SpecialToken", Map.of("id", bos, "type_id", 0));
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("type", "TemplateProcessing");
        p.put("single", List.of(special, Map.of("Sequence", Map.of("id", "A", "type_id", 0))));
        p.put("pair", List.of(special, Map.of("Sequence", Map.of("id", "A", "type_id", 0)),
                special, Map.of("Sequence", Map.of("id", "B", "type_id", 1))));
        p.put("special_tokens", Map.of(bos, Map.of("id", bos, "ids", List.of(tokenizer.bosId()),
                "tokens", List.of(bos))));
        return p;
    }

    private static Map<String, Object> tokenizerConfig(BpeTokenizer tokenizer, int modelMaxLength) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("tokenizer_class", "PreTrainedTokenizerFast");
        c.put("add_bos_token", tokenizer.addsBos());
        c.put("add_eos_token", false);
        c.put("bos_token", BpeTokenizer.END_OF_TEXT);
        c.put("eos_token", BpeTokenizer.END_OF_TEXT);
        c.put("pad_token", tokenizer.specials().containsKey(BpeTokenizer.PAD) ? BpeTokenizer.PAD
                : BpeTokenizer.END_OF_TEXT);
        c.put("unk_token", null);
        c.put("model_max_length", modelMaxLength);
        c.put("clean_up_tokenization_spaces", false);
        return c;
    }

    /** Loads a byte-level BPE {@code tokenizer.json} (as written by {@link #write}); errors name the file and field. */
    public static BpeTokenizer read(Path tokenizerJson) {
        JsonNode root;
        try {
            root = JSON.readTree(tokenizerJson.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + tokenizerJson, e);
        }
        JsonNode model = root.path("model");
        if (!"BPE".equals(model.path("type").asText())) {
            throw new IllegalArgumentException(tokenizerJson + ": field model.type must be \"BPE\"");
        }
        JsonNode vocabNode = model.path("vocab");
        if (!vocabNode.isObject()) {
            throw new IllegalArgumentException(tokenizerJson + ": field model.vocab missing");
        }
        String[] vocab = new String[vocabNode.size()];
        vocabNode.fields().forEachRemaining(e -> {
            int id = e.getValue().asInt(-1);
            if (id < 0 || id >= vocab.length || vocab[id] != null) {
                throw new IllegalArgumentException(tokenizerJson + ": field model.vocab has bad or repeated id "
                        + e.getValue() + " for '" + e.getKey() + "'");
            }
            vocab[id] = e.getKey();
        });
        List<String[]> merges = new ArrayList<>();
        for (JsonNode m : model.path("merges")) {
            String[] parts = m.isArray() ? new String[] {m.get(0).asText(), m.get(1).asText()}
                    : m.asText().split(" ", 2);
            if (parts.length != 2) {
                throw new IllegalArgumentException(tokenizerJson + ": field model.merges has bad entry " + m);
            }
            merges.add(parts);
        }
        List<String> specials = new ArrayList<>();
        for (JsonNode t : root.path("added_tokens")) {
            specials.add(t.path("content").asText());
        }
        boolean addBos = "TemplateProcessing".equals(root.path("post_processor").path("type").asText());
        return new BpeTokenizer(List.of(vocab), merges, specials, addBos);
    }

    static void writeAtomically(Path target, String content) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        Files.writeString(tmp, content);
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
