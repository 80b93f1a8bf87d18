package dev.tunelab.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * GPT-2 (Radford et al. 2019): learned positions, pre-LayerNorm blocks, fused q/k/v projection, gelu (tanh form),
 * output head tied to the token embedding.
 * <pre>
 *   x = wte(ids) + wpe(pos)
 *   for each block:  x = x + c_proj(attn(c_attn(ln_1(x))));   x = x + mlp.c_proj(gelu(mlp.c_fc(ln_2(x))))
 *   logits = ln_f(x) wte^T
 * </pre>
 * Hugging Face stores the Conv1D weights as [in, out]; they are transposed once on load into {@link Linear}'s
 * [out, in], so {@link #parameters()} holds them in that layout and {@link #checkpointTensors()} gives the
 * checkpoint layout back.
 */
public final class Gpt2 extends Decoder {
    private record Block(NDArray ln1Weight, NDArray ln1Bias, Linear attn, Linear attnProj, NDArray ln2Weight,
                         NDArray ln2Bias, Linear fc, Linear proj) {}

    static final String[] CONV1D = {"attn.c_attn", "attn.c_proj", "mlp.c_fc", "mlp.c_proj"};

    private final Gpt2Config config;
    private final NDArray wte;
    private final NDArray wpe;
    private final List<Block> blocks = new ArrayList<>();
    private final NDArray lnfWeight;
    private final NDArray lnfBias;
    private final Linear lmHead;
    private final NDArray scale;
    private final NDArray half;
    private final NDArray geluCoef;
    private final NDArray geluCubic;

    /**
     * @param weights tensors by Hugging Face name, in checkpoint layout (Conv1D [in, out]), owned by {@code manager}
     *                (the "transformer." prefix may be missing, as in the original gpt2 checkpoint)
     */
    public Gpt2(Gpt2Config config, NDManager manager, Map<String, NDArray> weights) {
        super(manager);
        this.config = config;
        Checkpoint ckpt = new Checkpoint(normalise(weights), "GPT-2 checkpoint");
        int h = config.hiddenSize();
        wte = param(ckpt, "transformer.wte.weight", config.vocabSize(), h);
        wpe = param(ckpt, "transformer.wpe.weight", config.maxPositions(), h);
        for (int i = 0; i < config.numLayers(); i++) {
            String p = "transformer.h." + i + ".";
            NDArray ln1w = param(ckpt, p + "ln_1.weight", h);
            NDArray ln1b = param(ckpt, p + "ln_1.bias", h);
            Linear attn = conv1d(ckpt, p + "attn.c_attn", h, 3 * h);
            Linear attnProj = conv1d(ckpt, p + "attn.c_proj", h, h);
            NDArray ln2w = param(ckpt, p + "ln_2.weight", h);
            NDArray ln2b = param(ckpt, p + "ln_2.bias", h);
            Linear fc = conv1d(ckpt, p + "mlp.c_fc", h, config.innerSize());
            Linear proj = conv1d(ckpt, p + "mlp.c_proj", config.innerSize(), h);
            blocks.add(new Block(ln1w, ln1b, attn, attnProj, ln2w, ln2b, fc, proj));
        }
        lnfWeight = param(ckpt, "transformer.ln_f.weight", h);
        lnfBias = param(ckpt, "transformer.ln_f.bias", h);
        ckpt.ignore("lm_head.weight");
        ckpt.ignoreSuffix(".attn.bias");
        ckpt.ignoreSuffix(".attn.masked_bias");
        ckpt.requireAllUsed();
        lmHead = register(new Linear("lm_head", wte, null));
        scale = manager.create((float) (1.0 / Math.sqrt(config.headDim())));
        half = manager.create(0.5f);
        geluCoef = manager.create((float) Math.sqrt(2.0 / Math.PI));
        geluCubic = manager.create(0.044715f);
    }

    private static Map<String, NDArray> normalise(Map<String, NDArray> weights) {
        boolean prefixed = weights.keySet().stream().anyMatch(k -> k.startsWith("transformer."));
        if (prefixed) {
            return weights;
        }
        Map<String, NDArray> out = new LinkedHashMap<>();
        weights.forEach((k, v) -> out.put(k.equals("lm_head.weight") ? k : "transformer." + k, v));
        return out;
    }

    @Override
    public Gpt2Config config() {
        return config;
    }

    @Override
    protected Linear lmHead() {
        return lmHead;
    }

    @Override
    protected int positionLimit() {
        return config.maxPositions();
    }

    @Override
    protected NDArray decode(NDArray inputIds, Attention.Layout layout, DecoderCache cache) {
        NDArray tokens = lookup(inputIds.reshape(-1), wte);
        NDArray positions = layout.positionRows(wpe, tokens.getManager()); // [T, H] or [B, T, H]
        NDArray x = tokens.reshape(layout.batch(), layout.queries(), config.hiddenSize()).add(positions)
                .reshape((long) layout.batch() * layout.queries(), config.hiddenSize());
        for (int i = 0; i < blocks.size(); i++) {
            Block b = blocks.get(i);
            x = x.add(attention(b, i, layerNorm(x, b.ln1Weight(), b.ln1Bias()), layout, cache));
            x = x.add(b.proj().forward(gelu(b.fc().forward(layerNorm(x, b.ln2Weight(), b.ln2Bias())))));
        }
        if (cache != null) {
            cache.advance(layout.queries());
        }
        return layerNorm(x, lnfWeight, lnfBias);
    }

    private NDArray attention(Block block, int index, NDArray x, Attention.Layout layout, DecoderCache cache) {
        int b = layout.batch();
        int t = layout.queries();
        int heads = config.numHeads();
        int d = config.headDim();
        NDList qkv = block.attn().forward(x).reshape(b, t, 3, heads, d).transpose(2, 0, 3, 1, 4).split(3, 0);
        NDArray q = qkv.get(0).squeeze(0); // [B, H, T, D]
        NDArray k = qkv.get(1).squeeze(0);
        NDArray v = qkv.get(2).squeeze(0);
        if (cache != null) {
            NDArray[] kv = cache.append(index, k, v);
            k = kv[0];
            v = kv[1];
        }
        NDArray out = Attention.attend(q, k, v, layout.additiveMask(), scale, 1);
        return block.attnProj().forward(Attention.headsLast(out, b, t, heads, d));
    }

    /** 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), GPT-2's "gelu_new". */
    private NDArray gelu(NDArray x) {
        NDArray inner = x.add(x.mul(x).mul(x).mul(geluCubic)).mul(geluCoef);
        return x.mul(half).mul(inner.tanh().add(one));
    }

    private NDArray layerNorm(NDArray x, NDArray weight, NDArray bias) {
        return x.getNDArrayInternal()
                .layerNorm(x, new Shape(config.hiddenSize()), weight, bias, (float) config.layerNormEps())
                .singletonOrThrow();
    }

    /** A Conv1D module: checkpoint weight [in, out] becomes a Linear weight [out, in]. */
    private Linear conv1d(Checkpoint ckpt, String module, int in, int out) {
        NDArray stored = ckpt.take(module + ".weight", new Shape(in, out));
        NDArray w = transposedCopy(stored);
        stored.close();
        register(module + ".weight", w);
        NDArray bias = param(ckpt, module + ".bias", out);
        return register(new Linear(module, w, bias));
    }

    private NDArray transposedCopy(NDArray a) {
        long[] s = a.getShape().getShape();
        int rows = (int) s[0];
        int cols = (int) s[1];
        float[] src = a.toFloatArray();
        float[] dst = new float[src.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                dst[c * rows + r] = src[r * cols + c];
            }
        }
        return manager.create(dst, new Shape(cols, rows));
    }

    /** Parameters in Hugging Face checkpoint layout (Conv1D weights [in, out]); arrays in {@code target}. */
    public LinkedHashMap<String, NDArray> checkpointTensors(NDManager target) {
        LinkedHashMap<String, NDArray> out = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : parameters().entrySet()) {
            boolean conv = false;
            for (String c : CONV1D) {
                conv |= e.getKey().endsWith(c + ".weight");
            }
            if (conv) {
                NDArray t = e.getValue().transpose();
                t.attach(target);
                out.put(e.getKey(), t);
            } else {
                out.put(e.getKey(), e.getValue());
            }
        }
        return out;
    }


    /** Names and shapes in checkpoint layout, for random init. */
    static LinkedHashMap<String, Shape> expectedShapes(Gpt2Config c) {
        LinkedHashMap<String, Shape> m = new LinkedHashMap<>();
        int h = c.hiddenSize();
        m.put("transformer.wte.weight", new Shape(c.vocabSize(), h));
        m.put("transformer.wpe.weight", new Shape(c.maxPositions(), h));
        for (int i = 0; i < c.numLayers(); i++) {
            String p = "transformer.h." + i + ".";
            m.put(p + "ln_1.weight", new Shape(h));
            m.put(p + "ln_1.bias", new Shape(h));
            m.put(p + "attn.c_attn.weight", new Shape(h, 3 * h));
            m.put(p + "attn.c_attn.bias", new Shape(3 * h));
            m.put(p + "attn.c_proj.weight", new Shape(h, h));
            m.put(p + "attn.c_proj.bias", new Shape(h));
            m.put(p + "ln_2.weight", new Shape(h));
            m.put(p + "ln_2.bias", new Shape(h));
            m.put(p + "mlp.c_fc.weight", new Shape(h, c.innerSize()));
            m.put(p + "mlp.c_fc.bias", new Shape(c.innerSize()));
            m.put(p + "mlp.c_proj.weight", new Shape(c.innerSize(), h));
            m.put(p + "mlp.c_proj.bias", new Shape(h));
        }
        m.put("transformer.ln_f.weight", new Shape(h));
        m.put("transformer.ln_f.bias", new Shape(h));
        return m;
    }
}
