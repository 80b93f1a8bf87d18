package dev.tunelab.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The Llama family's config.json (llama, mistral, qwen2). Qwen2 carries biases on q/k/v but not on o_proj;
 * {@code attention_bias} (Llama) puts them on all four.
 *
 * @param attentionBias bias on q_proj, k_proj, v_proj
 * @param outputBias    bias on o_proj
 * @param ropeScaling   Llama-3 style frequency scaling, null when absent
 * @param bosId         -1 when unknown (likewise eosId, padId)
 */
public record LlamaConfig(String modelType, int vocabSize, int hiddenSize, int intermediateSize, int numLayers,
                          int numHeads, int numKvHeads, int headDim, int maxPositions, double rmsNormEps,
                          double ropeTheta, RopeScaling ropeScaling, boolean attentionBias, boolean outputBias,
                          boolean tieWordEmbeddings, int bosId, int eosId, int padId) implements ModelConfig {

    /** rope_scaling with rope_type "llama3". */
    public record RopeScaling(double factor, double lowFreqFactor, double highFreqFactor,
                              int originalMaxPositions) {}

    public LlamaConfig {
        require(vocabSize > 0, "vocab_size", vocabSize);
        require(hiddenSize > 0, "hidden_size", hiddenSize);
        require(intermediateSize > 0, "intermediate_size", intermediateSize);
        require(numLayers > 0, "num_hidden_layers", numLayers);
        require(numHeads > 0 && numKvHeads > 0 && numHeads % numKvHeads == 0, "num_key_value_heads", numKvHeads);
        require(headDim > 0 && headDim % 2 == 0, "head_dim", headDim);
        require(maxPositions > 0, "max_position_embeddings", maxPositions);
        require(rmsNormEps > 0, "rms_norm_eps", rmsNormEps);
        require(ropeTheta > 0, "rope_theta", ropeTheta);
    }

    /** A small Llama-shaped config for tests and tiny pretraining; head_dim = hidden / heads. */
    public static LlamaConfig tiny(int vocabSize, int hiddenSize, int intermediateSize, int numLayers, int numHeads,
                                   int numKvHeads, int maxPositions) {
        return new LlamaConfig("llama", vocabSize, hiddenSize, intermediateSize, numLayers, numHeads, numKvHeads,
                hiddenSize / numHeads, maxPositions, 1e-5, 10000.0, null, false, false, true, -1, -1, -1);
    }

    public LlamaConfig withSpecialTokens(int bos, int eos, int pad) {
        return new LlamaConfig(modelType, vocabSize, hiddenSize, intermediateSize, numLayers, numHeads, numKvHeads,
                headDim, maxPositions, rmsNormEps, ropeTheta, ropeScaling, attentionBias, outputBias,
                tieWordEmbeddings, bos, eos, pad);
    }

    public LlamaConfig withModelType(String type) {
        boolean qwen = "qwen2".equals(type);
        return new LlamaConfig(type, vocabSize, hiddenSize, intermediateSize, numLayers, numHeads, numKvHeads,
                headDim, maxPositions, rmsNormEps, ropeTheta, ropeScaling, qwen || attentionBias,
                !qwen && outputBias, tieWordEmbeddings, bosId, eosId, padId);
    }

    public LlamaConfig withRope(double theta, RopeScaling scaling) {
        return new LlamaConfig(modelType, vocabSize, hiddenSize, intermediateSize, numLayers, numHeads, numKvHeads,
                headDim, maxPositions, rmsNormEps, theta, scaling, attentionBias, outputBias, tieWordEmbeddings,
                bosId, eosId, padId);
    }

    public LlamaConfig withTiedEmbeddings(boolean tied) {
        return new LlamaConfig(modelType, vocabSize, hiddenSize, intermediateSize, numLayers, numHeads, numKvHeads,
                headDim, maxPositions, rmsNormEps, ropeTheta, ropeScaling, attentionBias, outputBias, tied,
                bosId, eosId, padId);
    }

    public LlamaConfig withAttentionBias(boolean qkv, boolean output) {
        return new LlamaConfig(modelType, vocabSize, hiddenSize, intermediateSize, numLayers, numHeads, numKvHeads,
                headDim, maxPositions, rmsNormEps, ropeTheta, ropeScaling, qkv, output, tieWordEmbeddings,
                bosId, eosId, padId);
    }

    @Override
    public int numLayers() {
        return numLayers;
    }

    public static LlamaConfig load(Path configJson) throws IOException {
        JsonNode n = ConfigJson.read(configJson);
        return fromJson(n, configJson.toString());
    }

    public static LlamaConfig fromJson(JsonNode n, String source) throws IOException {
        ConfigJson c = new ConfigJson(n, source);
        String type = c.string("model_type", "llama");
        if (!type.equals("llama") && !type.equals("mistral") && !type.equals("qwen2")) {
            throw new IOException(source + ": model_type '" + type + "' is not a Llama-family model");
        }
        int hidden = c.integer("hidden_size");
        int heads = c.integer("num_attention_heads");
        int kvHeads = c.integer("num_key_value_heads", heads);
        boolean qwen = type.equals("qwen2");
        boolean attnBias = c.bool("attention_bias", false);
        RopeScaling scaling = null;
        JsonNode rs = n.get("rope_scaling");
        if (rs != null && !rs.isNull()) {
            String ropeType = rs.hasNonNull("rope_type") ? rs.get("rope_type").asText()
                    : rs.hasNonNull("type") ? rs.get("type").asText() : "";
            if (!ropeType.equals("llama3")) {
                throw new IOException(source + ": rope_scaling type '" + ropeType + "' is not supported (only llama3)");
            }
            ConfigJson r = new ConfigJson(rs, source + " rope_scaling");
            scaling = new RopeScaling(r.real("factor"), r.real("low_freq_factor", 1.0),
                    r.real("high_freq_factor", 4.0), r.integer("original_max_position_embeddings"));
        }
        try {
            return new LlamaConfig(type, c.integer("vocab_size"), hidden, c.integer("intermediate_size"),
                    c.integer("num_hidden_layers"), heads, kvHeads, c.integer("head_dim", hidden / Math.max(1, heads)),
                    c.integer("max_position_embeddings", 2048), c.real("rms_norm_eps", 1e-6),
                    c.real("rope_theta", 10000.0), scaling, qwen || attnBias, !qwen && attnBias,
                    c.bool("tie_word_embeddings", false), c.tokenId("bos_token_id"), c.tokenId("eos_token_id"),
                    c.tokenId("pad_token_id"));
        } catch (IllegalArgumentException e) {
            throw new IOException(source + ": " + e.getMessage(), e);
        }
    }

    /** config.json as Hugging Face writes it. */
    public ObjectNode toJson() {
        ObjectNode o = new ObjectMapper().createObjectNode();
        o.putArray("architectures").add(switch (modelType) {
            case "qwen2" -> "Qwen2ForCausalLM";
            case "mistral" -> "MistralForCausalLM";
            default -> "LlamaForCausalLM";
        });
        o.put("model_type", modelType);
        o.put("vocab_size", vocabSize);
        o.put("hidden_size", hiddenSize);
        o.put("intermediate_size", intermediateSize);
        o.put("num_hidden_layers", numLayers);
        o.put("num_attention_heads", numHeads);
        o.put("num_key_value_heads", numKvHeads);
        o.put("head_dim", headDim);
        o.put("max_position_embeddings", maxPositions);
        o.put("rms_norm_eps", rmsNormEps);
        o.put("rope_theta", ropeTheta);
        if (ropeScaling != null) {
            ObjectNode r = o.putObject("rope_scaling");
            r.put("rope_type", "llama3");
            r.put("factor", ropeScaling.factor());
            r.put("low_freq_factor", ropeScaling.lowFreqFactor());
            r.put("high_freq_factor", ropeScaling.highFreqFactor());
            r.put("original_max_position_embeddings", ropeScaling.originalMaxPositions());
        } else {
            o.putNull("rope_scaling");
        }
        if (!modelType.equals("qwen2")) {
            o.put("attention_bias", attentionBias);
        }
        o.put("hidden_act", "silu");
        o.put("tie_word_embeddings", tieWordEmbeddings);
        ConfigJson.putId(o, "bos_token_id", bosId);
        ConfigJson.putId(o, "eos_token_id", eosId);
        ConfigJson.putId(o, "pad_token_id", padId);
        o.put("torch_dtype", "float32");
        return o;
    }

    private static void require(boolean ok, String field, Object value) {
        if (!ok) {
            throw new IllegalArgumentException("invalid " + field + ": " + value);
        }
    }
}
