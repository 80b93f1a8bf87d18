package dev.tunelab.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** A decoder network with its tokenizer, generation defaults and chat template. */
public final class DecoderLanguageModel implements LanguageModel {
    private final String name;
    private final CausalLM model;
    private final TextTokenizer tokenizer;
    private final GenerationOptions defaults;
    private final ChatTemplate chatTemplate;
    private final Path source;

    public DecoderLanguageModel(String name, CausalLM model, TextTokenizer tokenizer, GenerationOptions defaults,
                                ChatTemplate chatTemplate, Path source) {
        this.name = name;
        this.model = model;
        this.tokenizer = tokenizer;
        this.defaults = defaults;
        this.chatTemplate = chatTemplate;
        this.source = source;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public CausalLM model() {
        return model;
    }

    @Override
    public TextTokenizer tokenizer() {
        return tokenizer;
    }

    @Override
    public GenerationOptions defaults() {
        return defaults;
    }

    @Override
    public ChatTemplate chatTemplate() {
        return chatTemplate;
    }

    /** The folder this model was loaded from, or null. */
    public Path source() {
        return source;
    }

    @Override
    public Generation generate(String prompt, GenerationOptions options) {
        return new Generator(model, tokenizer).generate(List.of(prompt), options).get(0);
    }

    @Override
    public List<Generation> generateBatch(List<String> prompts, GenerationOptions options) {
        return new Generator(model, tokenizer).generate(prompts, options);
    }

    /** Generation from token ids (no tokenisation), e.g. for parity checks. */
    public List<Generation> generateIds(List<int[]> prompts, GenerationOptions options) {
        return new Generator(model, tokenizer).generateIds(prompts, options);
    }

    @Override
    public double logLikelihood(String prompt, String completion) {
        int[] promptIds = tokenizer.encode(prompt, true);
        int[] fullIds = tokenizer.encode(prompt + completion, true);
        int[] ids;
        int start;
        if (fullIds.length > promptIds.length && Arrays.equals(promptIds, Arrays.copyOf(fullIds, promptIds.length))) {
            ids = fullIds;
            start = promptIds.length;
        } else {
            int[] c = tokenizer.encode(completion, false);
            ids = Arrays.copyOf(promptIds, promptIds.length + c.length);
            System.arraycopy(c, 0, ids, promptIds.length, c.length);
            start = promptIds.length;
        }
        if (ids.length == start) {
            return 0.0;
        }
        if (start == 0) {
            throw new IllegalArgumentException("logLikelihood needs a non-empty prompt (or a tokenizer with BOS)");
        }
        try (NDManager m = model.manager().newSubManager()) {
            NDArray input = m.create(ids, new Shape(1, ids.length));
            NDArray logits = model.forward(input, null, null);
            NDArray logProbs = logits.get(new NDIndex("0, {}:{}, :", start - 1, ids.length - 1)).logSoftmax(-1);
            float[] lp = logProbs.toFloatArray();
            int vocab = (int) logProbs.getShape().get(1);
            double sum = 0;
            for (int i = start; i < ids.length; i++) {
                sum += lp[(i - start) * vocab + ids[i]];
            }
            if (Double.isNaN(sum)) {
                throw new IllegalStateException("log-likelihood is NaN (model weights contain NaN?)");
            }
            return sum;
        }
    }

    @Override
    public void close() {
        model.close();
        if (tokenizer instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception ignored) {
                // closing a native tokenizer handle cannot fail meaningfully
            }
        }
    }
}
