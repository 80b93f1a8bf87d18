package dev.tunelab.experiment;

import java.util.List;

/**
 * One test example as one strategy saw it: what it was asked, what it should have said, what it said, whether that
 * counts as right, and what the prediction cost.
 *
 * @param score per-example quality (1/0 for classification, token F1 for generation)
 */
public record ExampleResult(String id, String input, String reference, String prediction, boolean correct,
                            double score, double latencyMs, int tokensIn, int tokensOut, List<String> sources) {
    public ExampleResult {
        sources = sources == null ? List.of() : List.copyOf(sources);
    }
}
