package dev.tunelab.rag;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tunelab.model.CausalLM;
import dev.tunelab.model.TextTokenizer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Sentence vectors from any loaded causal LM: the mean of its final hidden states ({@link CausalLM#hiddenStates})
 * over the text's tokens, L2-normalised. Texts of equal token length run as one batch (no padding, so batching never
 * changes a vector); texts longer than {@code maxTokens} are truncated.
 */
public final class LmEmbedder implements Embedder {
    private final CausalLM model;
    private final TextTokenizer tokenizer;
    private final int maxTokens;
    private final String name;

    public LmEmbedder(String name, CausalLM model, TextTokenizer tokenizer, int maxTokens) {
        if (maxTokens < 1) {
            throw new IllegalArgumentException("maxTokens must be >= 1, got " + maxTokens);
        }
        this.name = name;
        this.model = model;
        this.tokenizer = tokenizer;
        this.maxTokens = Math.min(maxTokens, model.config().maxPositions());
    }

    public static LmEmbedder of(dev.tunelab.model.LanguageModel lm) {
        return new LmEmbedder(lm.name() + " (mean hidden state)", lm.model(), lm.tokenizer(), lm.model().config().maxPositions());
    }

    @Override
    public int dimension() {
        return model.config().hiddenSize();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public float[][] embed(List<String> texts) {
        float[][] out = new float[texts.size()][];
        Map<Integer, List<Integer>> byLength = new LinkedHashMap<>();
        List<int[]> ids = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            int[] t = tokenizer.encode(texts.get(i), true);
            if (t.length == 0) {
                throw new IllegalArgumentException("text #" + i + " has no tokens");
            }
            if (t.length > maxTokens) {
                t = java.util.Arrays.copyOf(t, maxTokens);
            }
            ids.add(t);
            byLength.computeIfAbsent(t.length, x -> new ArrayList<>()).add(i);
        }
        int d = dimension();
        for (Map.Entry<Integer, List<Integer>> group : byLength.entrySet()) {
            int len = group.getKey();
            List<Integer> rows = group.getValue();
            int[] flat = new int[rows.size() * len];
            for (int r = 0; r < rows.size(); r++) {
                System.arraycopy(ids.get(rows.get(r)), 0, flat, r * len, len);
            }
            try (NDManager m = model.manager().newSubManager()) {
                NDArray input = m.create(flat, new Shape(rows.size(), len));
                NDArray hidden = model.hiddenStates(input, null);
                float[] mean = hidden.mean(new int[] {1}).toFloatArray();
                for (int r = 0; r < rows.size(); r++) {
                    float[] v = java.util.Arrays.copyOfRange(mean, r * d, r * d + d);
                    out[rows.get(r)] = Embedder.normalize(v, "text #" + rows.get(r));
                }
            }
        }
        return out;
    }
}
