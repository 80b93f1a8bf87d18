package dev.tunelab.experiment;

import dev.tunelab.eval.Strategy;
import dev.tunelab.experiment.ExperimentSpec.StrategySpec;
import dev.tunelab.model.LanguageModel;

/** Placeholder until the rag package lands on main. */
final class RagStrategies {
    private RagStrategies() {}

    static boolean available() {
        return false;
    }

    static Strategy fromSpec(StrategySpec s, LanguageModel model) {
        throw new UnsupportedOperationException("strategy type 'rag' needs the rag package, not merged yet");
    }
}
