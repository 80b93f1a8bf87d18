package dev.tunelab.model;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * tokenizer.json through DJL's Rust-backed HuggingFaceTokenizer, without padding or truncation. BOS/EOS/PAD come
 * from tokenizer_config.json (strings or {content: ...}) resolved against the vocabulary and added tokens.
 */
public final class HfTokenizer implements TextTokenizer, AutoCloseable {
    private final HuggingFaceTokenizer tokenizer;
    private final Path folder;
    private final int vocabSize;
    private final int bos;
    private final int eos;
    private final int pad;

    private HfTokenizer(HuggingFaceTokenizer tokenizer, Path folder, int vocabSize, int bos, int eos, int pad) {
        this.tokenizer = tokenizer;
        this.folder = folder;
        this.vocabSize = vocabSize;
        this.bos = bos;
        this.eos = eos;
        this.pad = pad;
    }

    /** Loads {@code folder/tokenizer.json} (+ tokenizer_config.json when present). */
    public static HfTokenizer load(Path folder) throws IOException {
        DjlSetup.ensure();
        Path file = folder.resolve("tokenizer.json");
        JsonNode json = ConfigJson.read(file);
        Map<String, Integer> ids = new HashMap<>();
        JsonNode vocab = json.path("model").path("vocab");
        int maxId = -1;
        if (vocab.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = vocab.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                ids.put(e.getKey(), e.getValue().asInt());
                maxId = Math.max(maxId, e.getValue().asInt());
            }
        } else if (vocab.isArray()) { // Unigram: [[piece, score], ...]
            for (int i = 0; i < vocab.size(); i++) {
                ids.put(vocab.get(i).get(0).asText(), i);
            }
            maxId = vocab.size() - 1;
        }
        for (JsonNode t : json.path("added_tokens")) {
            ids.put(t.path("content").asText(), t.path("id").asInt());
            maxId = Math.max(maxId, t.path("id").asInt());
        }
        int bos = -1;
        int eos = -1;
        int pad = -1;
        Path cfgFile = folder.resolve("tokenizer_config.json");
        if (Files.isRegularFile(cfgFile)) {
            JsonNode cfg = ConfigJson.read(cfgFile);
            bos = special(cfg, "bos_token", ids);
            eos = special(cfg, "eos_token", ids);
            pad = special(cfg, "pad_token", ids);
        }
        if (eos < 0) {
            eos = firstOf(ids, "<|endoftext|>", "</s>", "<|end_of_text|>", "<eos>");
        }
        if (bos < 0 && ids.containsKey("<s>")) {
            bos = ids.get("<s>");
        }
        HuggingFaceTokenizer tok = HuggingFaceTokenizer.builder()
                .optTokenizerPath(file)
                .optAddSpecialTokens(false)
                .optPadding(false)
                .optTruncation(false)
                .build();
        return new HfTokenizer(tok, folder, maxId + 1, bos, eos, pad);
    }

    private static int special(JsonNode cfg, String field, Map<String, Integer> ids) {
        JsonNode v = cfg.get(field);
        if (v == null || v.isNull()) {
            return -1;
        }
        String content = v.isObject() ? v.path("content").asText() : v.asText();
        Integer id = ids.get(content);
        return id == null ? -1 : id;
    }

    private static int firstOf(Map<String, Integer> ids, String... names) {
        for (String n : names) {
            if (ids.containsKey(n)) {
                return ids.get(n);
            }
        }
        return -1;
    }

    /** The folder tokenizer.json came from. */
    public Path folder() {
        return folder;
    }

    @Override
    public int[] encode(String text, boolean addSpecial) {
        long[] ids = tokenizer.encode(text, addSpecial, false).getIds();
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = (int) ids[i];
        }
        return out;
    }

    @Override
    public String decode(int[] ids) {
        long[] l = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            l[i] = ids[i];
        }
        return tokenizer.decode(l, true);
    }

    @Override
    public int vocabSize() {
        return vocabSize;
    }

    @Override
    public int bosId() {
        return bos;
    }

    @Override
    public int eosId() {
        return eos;
    }

    @Override
    public int padId() {
        return pad;
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
