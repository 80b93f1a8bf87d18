package dev.tunelab.eval;

import java.util.List;
import java.util.Map;

/**
 * What a strategy answered for one example.
 *
 * @param text        the raw text produced (for label scoring: the chosen label)
 * @param label       the parsed label for classification, else null
 * @param labelScores log-likelihood (or other score) per label, empty when not scored
 * @param latencyMs   wall time of this prediction
 * @param tokensIn    prompt tokens
 * @param tokensOut   generated tokens
 * @param sources     ids of retrieved passages or demonstrations used, empty when none
 */
public record Prediction(String text, String label, Map<String, Double> labelScores, double latencyMs, int tokensIn,
                         int tokensOut, List<String> sources) {
    public Prediction {
        labelScores = labelScores == null ? Map.of() : Map.copyOf(labelScores);
        sources = sources == null ? List.of() : List.copyOf(sources);
    }
}
