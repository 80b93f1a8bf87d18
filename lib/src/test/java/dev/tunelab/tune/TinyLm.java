package dev.tunelab.tune;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.tunelab.model.CausalLM;
import dev.tunelab.model.KvCache;
import dev.tunelab.model.Linear;
import dev.tunelab.model.ModelConfig;

import java.util.LinkedHashMap;
import java.util.SplittableRandom;

/**
 * Test-only causal LM: embeddings, then per layer h = h + v_proj(tanh(q_proj(h))) + shift(h) (each position also
 * sees the previous one, so it is a real causal model), then lm_head. HF-style names so LoRA targets match.
 */
final class TinyLm implements CausalLM {
    record Config(int vocabSize, int hiddenSize, int numLayers) implements ModelConfig {
        public String modelType() {
            return "tiny";
        }

        public int maxPositions() {
            return 512;
        }
    }

    private final Config config;
    private final NDManager manager;
    private final DataType type;
    private final LinkedHashMap<String, NDArray> params = new LinkedHashMap<>();
    private final LinkedHashMap<String, Linear> linears = new LinkedHashMap<>();

    TinyLm(int vocab, int hidden, int layers, long seed, DataType type) {
        this.config = new Config(vocab, hidden, layers);
        this.manager = NDManager.newBaseManager(Device.cpu());
        this.type = type;
        SplittableRandom rng = new SplittableRandom(seed);
        params.put("model.embed_tokens.weight", rand(rng, vocab, hidden, 1.0));
        for (int l = 0; l < layers; l++) {
            addLinear("model.layers." + l + ".self_attn.q_proj", rand(rng, hidden, hidden, 1 / Math.sqrt(hidden)));
            addLinear("model.layers." + l + ".self_attn.v_proj", rand(rng, hidden, hidden, 1 / Math.sqrt(hidden)));
            NDArray norm = manager.ones(new Shape(hidden), type);
            params.put("model.layers." + l + ".input_layernorm.weight", norm);
        }
        params.put("model.norm.weight", manager.ones(new Shape(hidden), type));
        addLinear("lm_head", rand(rng, vocab, hidden, 1 / Math.sqrt(hidden)));
    }

    private NDArray rand(SplittableRandom rng, int rows, int cols, double std) {
        double[] d = new double[rows * cols];
        for (int i = 0; i < d.length; i++) {
            d[i] = (rng.nextDouble() * 2 - 1) * std * Math.sqrt(3);
        }
        return manager.create(d, new Shape(rows, cols)).toType(type, false);
    }

    private void addLinear(String name, NDArray w) {
        params.put(name + ".weight", w);
        linears.put(name, new Linear(name, w, null));
    }

    @Override
    public ModelConfig config() {
        return config;
    }

    @Override
    public NDManager manager() {
        return manager;
    }

    @Override
    public Device device() {
        return Device.cpu();
    }

    @Override
    public LinkedHashMap<String, NDArray> parameters() {
        return params;
    }

    @Override
    public LinkedHashMap<String, Linear> linears() {
        return linears;
    }

    @Override
    public NDArray forward(NDArray inputIds, NDArray attentionMask, KvCache cache) {
        NDArray h = hiddenStates(inputIds, attentionMask);
        return linears.get("lm_head").forward(h);
    }

    @Override
    public NDArray hiddenStates(NDArray inputIds, NDArray attentionMask) {
        NDArray ids = inputIds.toType(DataType.INT64, false);
        NDArray h = params.get("model.embed_tokens.weight").get(ids);
        h.attach(inputIds.getManager());
        long t = inputIds.getShape().get(1);
        for (int l = 0; l < config.numLayers(); l++) {
            NDArray x = h.mul(params.get("model.layers." + l + ".input_layernorm.weight"));
            NDArray q = linears.get("model.layers." + l + ".self_attn.q_proj").forward(x).tanh();
            NDArray v = linears.get("model.layers." + l + ".self_attn.v_proj").forward(q);
            NDArray shifted = t > 1 ? h.get(":, 0:1, :").zerosLike().concat(h.get(":, 0:" + (t - 1) + ", :"), 1)
                    : h.zerosLike();
            h = h.add(v).add(shifted);
        }
        return h.mul(params.get("model.norm.weight"));
    }

    @Override
    public void replaceLinearWeights(String module, NDArray weight, NDArray bias) {
        params.put(module + ".weight", weight);
        linears.get(module).replaceBase(new dev.tunelab.model.DenseKernel(weight, bias));
    }

    @Override
    public KvCache newCache() {
        throw new UnsupportedOperationException("no cache");
    }

    @Override
    public void close() {
        manager.close();
    }
}
