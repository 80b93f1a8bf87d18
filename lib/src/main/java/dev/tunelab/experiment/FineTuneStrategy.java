package dev.tunelab.experiment;

import dev.tunelab.eval.Strategy;
import dev.tunelab.experiment.ExperimentSpec.StrategySpec;
import dev.tunelab.model.LanguageModel;

/** Placeholder until tune's Trainer lands on main. */
final class FineTuneStrategy {
    private FineTuneStrategy() {}

    static Strategy fromSpec(StrategySpec s, LanguageModel model) {
        model.close();
        throw new UnsupportedOperationException("strategy type '" + s.type() + "' needs tune's Trainer, not merged yet");
    }
}
