package dev.tunelab.experiment;

import dev.tunelab.model.LanguageModel;

import java.util.function.Supplier;

/**
 * The base model of an experiment: one shared instance for strategies that only read it (prompting, RAG), and fresh
 * copies for strategies that change weights (fine-tuning), each closed by its strategy.
 */
final class ModelPool implements AutoCloseable {
    private final Supplier<LanguageModel> factory;
    private LanguageModel shared;

    ModelPool(Supplier<LanguageModel> factory) {
        this.factory = factory;
    }

    boolean available() {
        return factory != null;
    }

    LanguageModel shared(String who) {
        if (shared == null) {
            shared = fresh(who);
        }
        return shared;
    }

    LanguageModel fresh(String who) {
        if (factory == null) {
            throw new IllegalStateException("strategy '" + who + "' needs a language model: call model(...) on the experiment");
        }
        LanguageModel m = factory.get();
        if (m == null) {
            throw new IllegalStateException("the model factory returned null for strategy '" + who + "'");
        }
        return m;
    }

    @Override
    public void close() {
        if (shared != null) {
            shared.close();
            shared = null;
        }
    }
}
