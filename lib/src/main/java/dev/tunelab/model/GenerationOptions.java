package dev.tunelab.model;

import java.util.List;
import java.util.function.Consumer;

/**
 * Decoding knobs, as in Hugging Face's GenerationConfig. Immutable; change with the {@code with...} methods.
 *
 * @param maxNewTokens      upper bound on generated tokens
 * @param greedy            argmax decoding when true (temperature/top-k/top-p ignored)
 * @param temperature       softmax temperature (> 0)
 * @param topK              keep the k most likely tokens (0 = off)
 * @param topP              nucleus sampling mass (1.0 = off)
 * @param repetitionPenalty CTRL-style penalty (1.0 = off)
 * @param stop              stop strings; generation ends when the text ends with one (it is not returned)
 * @param seed              sampling seed
 * @param useCache          use the key/value cache
 * @param onToken           streaming callback receiving each new piece of text (may be null)
 */
public record GenerationOptions(int maxNewTokens, boolean greedy, double temperature, int topK, double topP,
                                double repetitionPenalty, List<String> stop, long seed, boolean useCache,
                                Consumer<String> onToken) {

    public static GenerationOptions defaults() {
        return new GenerationOptions(64, true, 1.0, 0, 1.0, 1.0, List.of(), 42L, true, null);
    }

    public GenerationOptions withMaxNewTokens(int n) {
        return new GenerationOptions(n, greedy, temperature, topK, topP, repetitionPenalty, stop, seed, useCache, onToken);
    }

    public GenerationOptions withGreedy(boolean g) {
        return new GenerationOptions(maxNewTokens, g, temperature, topK, topP, repetitionPenalty, stop, seed, useCache, onToken);
    }

    public GenerationOptions withSampling(double temp, int k, double p) {
        return new GenerationOptions(maxNewTokens, false, temp, k, p, repetitionPenalty, stop, seed, useCache, onToken);
    }

    public GenerationOptions withRepetitionPenalty(double r) {
        return new GenerationOptions(maxNewTokens, greedy, temperature, topK, topP, r, stop, seed, useCache, onToken);
    }

    public GenerationOptions withStop(List<String> s) {
        return new GenerationOptions(maxNewTokens, greedy, temperature, topK, topP, repetitionPenalty, List.copyOf(s), seed, useCache, onToken);
    }

    public GenerationOptions withSeed(long s) {
        return new GenerationOptions(maxNewTokens, greedy, temperature, topK, topP, repetitionPenalty, stop, s, useCache, onToken);
    }

    public GenerationOptions withCache(boolean c) {
        return new GenerationOptions(maxNewTokens, greedy, temperature, topK, topP, repetitionPenalty, stop, seed, c, onToken);
    }

    public GenerationOptions withStreaming(Consumer<String> callback) {
        return new GenerationOptions(maxNewTokens, greedy, temperature, topK, topP, repetitionPenalty, stop, seed, useCache, callback);
    }
}
