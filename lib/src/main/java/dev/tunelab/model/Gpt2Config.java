package dev.tunelab.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Path;

/** GPT-2's config.json (n_embd, n_layer, n_head, n_positions...). The output head is always tied to wte. */
public record Gpt2Config(int vocabSize, int maxPositions, int hiddenSize, int numLayers, int numHeads,
                         int innerSize, double layerNormEps, int bosId, int eosId) implements ModelConfig {

    public Gpt2Config {
        if (vocabSize <= 0 || maxPositions <= 0 || hiddenSize <= 0 || numLayers <= 0 || numHeads <= 0
                || hiddenSize % numHeads != 0 || innerSize <= 0 || !(layerNormEps > 0)) {
            throw new IllegalArgumentException("invalid GPT-2 config: n_embd " + hiddenSize + ", n_head " + numHeads
                    + ", n_layer " + numLayers + ", vocab_size " + vocabSize + ", n_positions " + maxPositions);
        }
    }

    public static Gpt2Config tiny(int vocabSize, int hiddenSize, int numLayers, int numHeads, int maxPositions) {
        return new Gpt2Config(vocabSize, maxPositions, hiddenSize, numLayers, numHeads, 4 * hiddenSize, 1e-5, -1, -1);
    }

    @Override
    public String modelType() {
        return "gpt2";
    }

    public int headDim() {
        return hiddenSize / numHeads;
    }

    public static Gpt2Config load(Path configJson) throws IOException {
        return fromJson(ConfigJson.read(configJson), configJson.toString());
    }

    public static Gpt2Config fromJson(JsonNode n, String source) throws IOException {
        ConfigJson c = new ConfigJson(n, source);
        String act = c.string("activation_function", "gelu_new");
        if (!act.equals("gelu_new") && !act.equals("gelu_pytorch_tanh")) {
            throw new IOException(source + ": activation_function '" + act + "' is not supported (gelu_new)");
        }
        int hidden = c.integer("n_embd");
        try {
            return new Gpt2Config(c.integer("vocab_size"), c.integer("n_positions", 1024), hidden, c.integer("n_layer"),
                    c.integer("n_head"), n.hasNonNull("n_inner") ? c.integer("n_inner") : 4 * hidden,
                    c.real("layer_norm_epsilon", 1e-5), c.tokenId("bos_token_id"), c.tokenId("eos_token_id"));
        } catch (IllegalArgumentException e) {
            throw new IOException(source + ": " + e.getMessage(), e);
        }
    }

    public ObjectNode toJson() {
        ObjectNode o = new ObjectMapper().createObjectNode();
        o.putArray("architectures").add("GPT2LMHeadModel");
        o.put("model_type", "gpt2");
        o.put("vocab_size", vocabSize);
        o.put("n_positions", maxPositions);
        o.put("n_ctx", maxPositions);
        o.put("n_embd", hiddenSize);
        o.put("n_layer", numLayers);
        o.put("n_head", numHeads);
        o.put("n_inner", innerSize);
        o.put("layer_norm_epsilon", layerNormEps);
        o.put("activation_function", "gelu_new");
        o.put("tie_word_embeddings", true);
        ConfigJson.putId(o, "bos_token_id", bosId);
        ConfigJson.putId(o, "eos_token_id", eosId);
        o.put("torch_dtype", "float32");
        return o;
    }
}
