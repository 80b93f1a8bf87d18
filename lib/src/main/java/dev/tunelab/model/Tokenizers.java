package dev.tunelab.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Finds and saves the tokenizer that belongs to a model folder. */
public final class Tokenizers {
    private Tokenizers() {}

    public static TextTokenizer load(Path dir) throws IOException {
        if (Files.isRegularFile(dir.resolve("tokenizer.json"))) {
            return HfTokenizer.load(dir);
        }
        Path cfg = dir.resolve("tokenizer_config.json");
        if (Files.isRegularFile(cfg)) {
            JsonNode n = ConfigJson.read(cfg);
            if (ByteTokenizer.CLASS_NAME.equals(n.path("tokenizer_class").asText())) {
                return new ByteTokenizer();
            }
        }
        throw new IOException(dir + ": no tokenizer.json (and tokenizer_config.json names no tokenizer TuneLab knows)");
    }

    /** Writes what {@link #load} needs to get {@code tokenizer} back; each file atomically. */
    public static void save(TextTokenizer tokenizer, Path dir) throws IOException {
        save(tokenizer, dir, 2048);
    }

    /** As {@link #save(TextTokenizer, Path)}; {@code modelMaxLength} goes into tokenizer_config.json where written. */
    public static void save(TextTokenizer tokenizer, Path dir, int modelMaxLength) throws IOException {
        if (tokenizer instanceof dev.tunelab.model.bpe.BpeTokenizer bpe) {
            dev.tunelab.model.bpe.TokenizerFiles.write(bpe, dir, modelMaxLength);
        } else if (tokenizer instanceof ByteTokenizer) {
            ObjectNode o = ConfigJson.MAPPER.createObjectNode();
            o.put("tokenizer_class", ByteTokenizer.CLASS_NAME);
            o.put("bos_token_id", ByteTokenizer.BOS);
            o.put("eos_token_id", ByteTokenizer.EOS);
            o.put("pad_token_id", ByteTokenizer.PAD);
            ConfigJson.write(dir.resolve("tokenizer_config.json"), o);
        } else if (tokenizer instanceof HfTokenizer hf) {
            for (String f : new String[] {"tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"}) {
                Path src = hf.folder().resolve(f);
                Path dst = dir.resolve(f);
                if (Files.isRegularFile(src) && !src.toAbsolutePath().normalize().equals(dst.toAbsolutePath().normalize())) {
                    Path tmp = AtomicFiles.tempFor(dst);
                    Files.copy(src, tmp, StandardCopyOption.REPLACE_EXISTING);
                    AtomicFiles.move(tmp, dst);
                }
            }
        } else {
            throw new IOException("cannot save tokenizer of type " + tokenizer.getClass().getName()
                    + " (only tokenizer.json-based, BPE and byte tokenizers)");
        }
    }
}
