package dev.tunelab.model;

import java.util.List;

/**
 * A loaded model with everything needed to use it: weights, tokenizer, generation defaults, chat template.
 * Obtained from {@code Models.defaultModel()}, {@code Models.load(Path)} or {@code Models.fromHub("org/name")}.
 */
public interface LanguageModel extends AutoCloseable {
    String name();

    CausalLM model();

    TextTokenizer tokenizer();

    /** Generation defaults from generation_config.json (or TuneLab's). */
    GenerationOptions defaults();

    /** Formats chat messages the way the model was trained (ChatML, Llama 3, plain). */
    ChatTemplate chatTemplate();

    Generation generate(String prompt, GenerationOptions options);

    List<Generation> generateBatch(List<String> prompts, GenerationOptions options);

    /**
     * Sum of log-probabilities (natural log) of {@code completion}'s tokens given {@code prompt}; the basis of label
     * scoring. The completion is tokenised as a continuation of the prompt.
     */
    double logLikelihood(String prompt, String completion);

    @Override
    void close();
}
