package dev.tunelab.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;

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
public final class Llama extends Decoder {
    private record Layer(NDArray inputNorm, Linear q, Linear k, Linear v, Linear o, NDArray postNorm, Linear gate,
                         Linear up, Linear down) {}

    private final LlamaConfig config;
    private final NDArray embedTokens;
    private final List<Layer> layers = new ArrayList<>();
    private final NDArray finalNorm;
    private final Linear lmHead;
    private final NDArray rotaryTable;
    private final NDArray swapHalves;
    private final NDArray meanOverHidden;
    private final NDArray eps;

    /**
     * @param weights every tensor by its Hugging Face name, already owned by {@code manager} (which this model
     *                then owns and closes)
     */
    public Llama(LlamaConfig config, NDManager manager, Map<String, NDArray> weights) {
        super(manager);
        this.config = config;
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
            lmHead = register(new Linear("lm_head", embedTokens, null));
        } else {
            lmHead = linear(ckpt, "lm_head", config.vocabSize(), h, false);
        }
        ckpt.ignoreSuffix("rotary_emb.inv_freq");
        ckpt.requireAllUsed();

        rotaryTable = Rotary.table(manager, config, 1.0 / Math.sqrt(config.headDim()));
        swapHalves = Rotary.swapHalves(manager, config.headDim());
        meanOverHidden = manager.full(new Shape(h, 1), 1f / h);
        eps = manager.create((float) config.rmsNormEps());
    }

    @Override
    public LlamaConfig config() {
        return config;
    }

    @Override
    protected Linear lmHead() {
        return lmHead;
    }

    @Override
    protected int positionLimit() {
        return (int) rotaryTable.getShape().get(0);
    }

    /** Hidden states stay two-dimensional, [B*T, hidden], so that every projection is one matrix product. */
    @Override
    protected NDArray decode(NDArray inputIds, Attention.Layout layout, DecoderCache cache) {
        NDArray x = lookup(inputIds.reshape(-1), embedTokens);
        Rotary.Angles angles = Rotary.Angles.of(layout.positionRows(rotaryTable, x.getManager()),
                layout.positions() == null ? 1 : layout.batch(), layout.queries());
        for (int i = 0; i < layers.size(); i++) {
            Layer layer = layers.get(i);
            x = x.add(selfAttention(layer, i, rmsNorm(x, layer.inputNorm()), angles, layout, cache));
            x = x.add(mlp(layer, rmsNorm(x, layer.postNorm())));
        }
        if (cache != null) {
            cache.advance(layout.queries());
        }
        return rmsNorm(x, finalNorm);
    }

    private NDArray selfAttention(Layer layer, int index, NDArray x, Rotary.Angles angles, Attention.Layout layout,
                                  DecoderCache cache) {
        int b = layout.batch();
        int t = layout.queries();
        int kvHeads = config.numKvHeads();
        int groups = config.numHeads() / kvHeads;
        int d = config.headDim();
        // [B, heads, T, D]; the query angles carry the attention scale 1/sqrt(d).
        NDArray q = Rotary.apply(Attention.headsFirst(layer.q().forward(x), b, t, config.numHeads(), d),
                angles.queryCos(), angles.querySin(), swapHalves, t);
        NDArray k = Rotary.apply(Attention.headsFirst(layer.k().forward(x), b, t, kvHeads, d),
                angles.keyCos(), angles.keySin(), swapHalves, t);
        NDArray v = Attention.headsFirst(layer.v().forward(x), b, t, kvHeads, d);
        if (cache != null) {
            NDArray[] kv = cache.append(index, k, v);
            k = kv[0];
            v = kv[1];
        }
        // Query head h uses key/value head h / G: grouping the G heads' rows as [B, KV, G*T, D] needs no copy of k/v.
        NDArray out = Attention.attend(q.reshape(b, kvHeads, (long) groups * t, d), k, v, layout.additiveMask(),
                null, groups);
        return layer.o().forward(Attention.headsLast(out, b, t, config.numHeads(), d));
    }

    private NDArray mlp(Layer layer, NDArray x) {
        NDArray gate = layer.gate().forward(x);
        NDArray silu = gate.mul(Activation.sigmoid(gate));
        return layer.down().forward(silu.mul(layer.up().forward(x)));
    }

    /** x / sqrt(mean(x^2) + eps) * weight; the mean as a product with a 1/h vector (torch's mean kernel is slower). */
    private NDArray rmsNorm(NDArray x, NDArray weight) {
        NDArray rms = x.square().matMul(meanOverHidden).add(eps).sqrt();
        return x.div(rms).mul(weight);
    }

    private Linear linear(Checkpoint ckpt, String module, int out, int in, boolean bias) {
        NDArray w = param(ckpt, module + ".weight", out, in);
        NDArray b = bias ? param(ckpt, module + ".bias", out) : null;
        return register(new Linear(module, w, b));
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
