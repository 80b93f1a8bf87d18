package dev.tunelab.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Embedding;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Llama decoder (Touvron et al. 2023) with the variants its descendants use: grouped-query attention
 * (Mistral, Llama 2/3), q/k/v biases (Qwen2) and Llama-3 rotary frequency scaling.
 *
 * <pre>
 *   x = embed(ids)
 *   for each layer:  x = x + attn(rmsnorm(x));   x = x + mlp(rmsnorm(x))
 *   logits = lm_head(rmsnorm(x))
 *   attn: q,k,v = proj(x); rotate q,k by position; softmax(q k^T / sqrt(d) + causal/padding mask) v; o_proj
 *   mlp:  down(silu(gate(x)) * up(x))
 * </pre>
 * Every projection is a {@link Linear}, so fine-tuning can swap its kernel.
 */
public final class Llama implements CausalLM {
    private record Layer(NDArray inputNorm, Linear q, Linear k, Linear v, Linear o, NDArray postNorm, Linear gate,
                         Linear up, Linear down) {}

    private final LlamaConfig config;
    private final NDManager manager;
    private final LinkedHashMap<String, NDArray> parameters = new LinkedHashMap<>();
    private final LinkedHashMap<String, Linear> linears = new LinkedHashMap<>();
    private final NDArray embedTokens;
    private final List<Layer> layers = new ArrayList<>();
    private final NDArray finalNorm;
    private final Linear lmHead;
    private final NDArray cosTable;
    private final NDArray sinTable;
    private final NDArray eps;
    private final NDArray scale;
    private final NDArray one;
    private final NDArray big;

    /**
     * @param weights every tensor by its Hugging Face name, already owned by {@code manager} (which this model
     *                then owns and closes)
     */
    public Llama(LlamaConfig config, NDManager manager, Map<String, NDArray> weights) {
        this.config = config;
        this.manager = manager;
        Checkpoint ckpt = new Checkpoint(weights, "Llama checkpoint");
        int h = config.hiddenSize();
        int qOut = config.numHeads() * config.headDim();
        int kvOut = config.numKvHeads() * config.headDim();
        int ff = config.intermediateSize();
        embedTokens = param(ckpt, "model.embed_tokens.weight", config.vocabSize(), h);
        for (int i = 0; i < config.numLayers(); i++) {
            String p = "model.layers." + i + ".";
            NDArray inNorm = param(ckpt, p + "input_layernorm.weight", h);
            Linear q = linear(ckpt, p + "self_attn.q_proj", qOut, h, config.attentionBias());
            Linear k = linear(ckpt, p + "self_attn.k_proj", kvOut, h, config.attentionBias());
            Linear v = linear(ckpt, p + "self_attn.v_proj", kvOut, h, config.attentionBias());
            Linear o = linear(ckpt, p + "self_attn.o_proj", h, qOut, config.outputBias());
            NDArray postNorm = param(ckpt, p + "post_attention_layernorm.weight", h);
            Linear gate = linear(ckpt, p + "mlp.gate_proj", ff, h, false);
            Linear up = linear(ckpt, p + "mlp.up_proj", ff, h, false);
            Linear down = linear(ckpt, p + "mlp.down_proj", h, ff, false);
            layers.add(new Layer(inNorm, q, k, v, o, postNorm, gate, up, down));
        }
        finalNorm = param(ckpt, "model.norm.weight", h);
        if (config.tieWordEmbeddings()) {
            ckpt.ignore("lm_head.weight");
            lmHead = new Linear("lm_head", embedTokens, null);
            linears.put("lm_head", lmHead);
        } else {
            lmHead = linear(ckpt, "lm_head", config.vocabSize(), h, false);
        }
        ckpt.ignoreSuffix("rotary_emb.inv_freq");
        ckpt.requireAllUsed();

        NDArray[] tables = Rotary.tables(manager, config);
        cosTable = tables[0];
        sinTable = tables[1];
        eps = manager.create((float) config.rmsNormEps());
        scale = manager.create((float) (1.0 / Math.sqrt(config.headDim())));
        one = manager.create(1f);
        big = manager.create(1e9f);
    }

    @Override
    public LlamaConfig config() {
        return config;
    }

    @Override
    public NDManager manager() {
        return manager;
    }

    @Override
    public Device device() {
        return manager.getDevice();
    }

    @Override
    public LinkedHashMap<String, NDArray> parameters() {
        return new LinkedHashMap<>(parameters);
    }

    @Override
    public LinkedHashMap<String, Linear> linears() {
        return new LinkedHashMap<>(linears);
    }

    @Override
    public void replaceLinearWeights(String module, NDArray weight, NDArray bias) {
        Linear.replaceWeights(parameters, linears, module, weight, bias);
    }

    @Override
    public KvCache newCache() {
        return new DecoderCache(manager, config.numLayers());
    }

    @Override
    public NDArray forward(NDArray inputIds, NDArray attentionMask, KvCache cache) {
        return lmHead.forward(decode(inputIds, attentionMask, (DecoderCache) cache));
    }

    @Override
    public NDArray hiddenStates(NDArray inputIds, NDArray attentionMask) {
        return decode(inputIds, attentionMask, null);
    }

    private NDArray decode(NDArray inputIds, NDArray attentionMask, DecoderCache cache) {
        Attention.Layout layout = Attention.layout(inputIds, attentionMask, cache, one, big, (int) cosTable.getShape().get(0));
        NDArray x = lookup(inputIds, embedTokens);
        NDArray cos = lookup(layout.positions(), cosTable).expandDims(1); // [B, 1, T, D] for keys
        NDArray sin = lookup(layout.positions(), sinTable).expandDims(1);
        NDArray[] rotation = {cos, sin, cos.expandDims(1), sin.expandDims(1)}; // [B, 1, 1, T, D] for grouped queries
        for (int i = 0; i < layers.size(); i++) {
            Layer layer = layers.get(i);
            x = x.add(selfAttention(layer, i, rmsNorm(x, layer.inputNorm()), rotation, layout, cache));
            x = x.add(mlp(layer, rmsNorm(x, layer.postNorm())));
        }
        if (cache != null) {
            cache.advance(layout.queries());
        }
        return rmsNorm(x, finalNorm);
    }

    private NDArray selfAttention(Layer layer, int index, NDArray x, NDArray[] rotation, Attention.Layout layout,
                                  DecoderCache cache) {
        int b = layout.batch();
        int t = layout.queries();
        int kvHeads = config.numKvHeads();
        int groups = config.numHeads() / kvHeads;
        int d = config.headDim();
        // Query heads are grouped by the key/value head they share: [B, KV, G, T, D].
        NDArray q = layer.q().forward(x).reshape(b, t, kvHeads, groups, d).transpose(0, 2, 3, 1, 4);
        NDArray k = layer.k().forward(x).reshape(b, t, kvHeads, d).transpose(0, 2, 1, 3);
        NDArray v = layer.v().forward(x).reshape(b, t, kvHeads, d).transpose(0, 2, 1, 3);
        q = Rotary.apply(q, rotation[2], rotation[3]);
        k = Rotary.apply(k, rotation[0], rotation[1]);
        if (cache != null) {
            NDArray[] kv = cache.append(index, k, v);
            k = kv[0];
            v = kv[1];
        }
        NDArray out = Attention.attend(q.reshape(b, kvHeads, groups * t, d), k, v, layout.additiveMask(), scale,
                groups);
        out = out.reshape(b, kvHeads, groups, t, d).transpose(0, 3, 1, 2, 4).reshape(b, t, (long) kvHeads * groups * d);
        return layer.o().forward(out);
    }

    private NDArray mlp(Layer layer, NDArray x) {
        NDArray gate = layer.gate().forward(x);
        NDArray silu = gate.mul(Activation.sigmoid(gate));
        return layer.down().forward(silu.mul(layer.up().forward(x)));
    }

    /** x / sqrt(mean(x^2) + eps) * weight. */
    private NDArray rmsNorm(NDArray x, NDArray weight) {
        NDArray rms = x.square().mean(new int[] {-1}, true).add(eps).sqrt();
        return x.div(rms).mul(weight);
    }

    static NDArray lookup(NDArray ids, NDArray table) {
        return Embedding.embedding(ids, table, SparseFormat.DENSE).singletonOrThrow();
    }

    private NDArray param(Checkpoint ckpt, String name, long... shape) {
        NDArray a = ckpt.take(name, new Shape(shape));
        parameters.put(name, a);
        return a;
    }

    private Linear linear(Checkpoint ckpt, String module, int out, int in, boolean bias) {
        NDArray w = param(ckpt, module + ".weight", out, in);
        NDArray b = bias ? param(ckpt, module + ".bias", out) : null;
        Linear l = new Linear(module, w, b);
        linears.put(module, l);
        return l;
    }

    @Override
    public void close() {
        manager.close();
    }

    /** Names and shapes of a checkpoint for {@code config}, in checkpoint order (for random init and checks). */
    static LinkedHashMap<String, Shape> expectedShapes(LlamaConfig config) {
        LinkedHashMap<String, Shape> m = new LinkedHashMap<>();
        int h = config.hiddenSize();
        int qOut = config.numHeads() * config.headDim();
        int kvOut = config.numKvHeads() * config.headDim();
        int ff = config.intermediateSize();
        m.put("model.embed_tokens.weight", new Shape(config.vocabSize(), h));
        for (int i = 0; i < config.numLayers(); i++) {
            String p = "model.layers." + i + ".";
            m.put(p + "input_layernorm.weight", new Shape(h));
            String[] names = {"q_proj", "k_proj", "v_proj", "o_proj"};
            int[] outs = {qOut, kvOut, kvOut, h};
            int[] ins = {h, h, h, qOut};
            for (int j = 0; j < 4; j++) {
                m.put(p + "self_attn." + names[j] + ".weight", new Shape(outs[j], ins[j]));
                if (j < 3 ? config.attentionBias() : config.outputBias()) {
                    m.put(p + "self_attn." + names[j] + ".bias", new Shape(outs[j]));
                }
            }
            m.put(p + "post_attention_layernorm.weight", new Shape(h));
            m.put(p + "mlp.gate_proj.weight", new Shape(ff, h));
            m.put(p + "mlp.up_proj.weight", new Shape(ff, h));
            m.put(p + "mlp.down_proj.weight", new Shape(h, ff));
        }
        m.put("model.norm.weight", new Shape(h));
        if (!config.tieWordEmbeddings()) {
            m.put("lm_head.weight", new Shape(config.vocabSize(), h));
        }
        return m;
    }

    static boolean isNorm(String name) {
        return name.endsWith("norm.weight") || name.endsWith("layernorm.weight");
    }

}
