package dev.tunelab.eval;

import java.util.List;

/**
 * One evaluated example, kept for error analysis.
 *
 * @param prediction the predicted label (classification) or text (generation)
 * @param correct    label equality (classification) or SQuAD exact match (generation)
 * @param tokenF1    SQuAD token F1 for generation, 1/0 for classification
 */
public record ExampleResult(String id, String input, String reference, String prediction, boolean correct,
                            double tokenF1, double latencyMs, int tokensIn, int tokensOut, List<String> sources) {
    public ExampleResult {
        sources = sources == null ? List.of() : List.copyOf(sources);
    }
}
