package dev.tunelab.experiment;

import dev.tunelab.eval.Strategy;
import dev.tunelab.experiment.ExperimentSpec.StrategySpec;
import dev.tunelab.model.LanguageModel;
import dev.tunelab.prompt.PromptStrategy;
import dev.tunelab.prompt.RandomShotSelector;
import dev.tunelab.prompt.RemoteConfig;
import dev.tunelab.prompt.RemoteStrategy;
import dev.tunelab.prompt.SimilarityShotSelector;

/** Builds the strategy a {@link StrategySpec} describes; the only place that knows every strategy type. */
final class StrategyFactory {
    private StrategyFactory() {}

    static Strategy create(StrategySpec s, ModelPool models, java.util.List<dev.tunelab.data.Example> knowledge) {
        String name = s.name();
        return switch (s.type()) {
            case "knn" -> renamed(new KnnStrategy(s.intOption("k", 5)), name);
            case "bow-logreg" -> renamed(new BagOfWordsClassifier(s.intOption("epochs", 100), s.doubleOption("lr", 2.0), 1e-4), name);
            case "zero-shot" -> prompt(models.shared(label(s)), 0, null, name != null ? name : "zero-shot");
            case "few-shot" -> prompt(models.shared(label(s)), s.intOption("k", 4),
                    new RandomShotSelector(s.intOption("seed", 42)), name != null ? name : "few-shot-" + s.intOption("k", 4));
            case "similarity-few-shot" -> prompt(models.shared(label(s)), s.intOption("k", 4), selector(s),
                    name != null ? name : "similar-few-shot-" + s.intOption("k", 4)
                            + (s.stringOption("embedder", "tfidf").equals("minilm") ? "-minilm" : ""));
            case "remote" -> remote(s);
            case "lora", "qlora", "full", "freeze" -> FineTuneStrategy.fromSpec(s, models.fresh(label(s)));
            case "rag" -> RagStrategies.fromSpec(s, models.shared(label(s)), knowledge);
            default -> throw new IllegalArgumentException("unknown strategy type '" + s.type() + "'");
        };
    }

    static String label(StrategySpec s) {
        return s.name() != null ? s.name() : s.type();
    }

    /** TF-IDF similarity (default) or MiniLM sentence embeddings from the rag package. */
    private static dev.tunelab.prompt.ShotSelector selector(StrategySpec s) {
        return switch (s.stringOption("embedder", "tfidf")) {
            case "tfidf" -> new SimilarityShotSelector();
            case "minilm" -> new dev.tunelab.rag.EmbeddingShotSelector(dev.tunelab.rag.MiniLmEmbedder.create());
            default -> throw new IllegalArgumentException("similarity-few-shot embedder must be tfidf or minilm, got '"
                    + s.stringOption("embedder", null) + "'");
        };
    }

    private static Strategy prompt(LanguageModel model, int k, dev.tunelab.prompt.ShotSelector selector, String name) {
        PromptStrategy.Builder b = PromptStrategy.builder().setModel(model).optName(name);
        if (k > 0) {
            b.optShots(k, selector);
        }
        return b.build();
    }

    private static Strategy remote(StrategySpec s) {
        RemoteConfig cfg = RemoteConfig.fromEnvironment(s.stringOption("model", null));
        if (s.options().containsKey("base_url")) {
            cfg = new RemoteConfig(s.stringOption("base_url", null), cfg.apiKey(), cfg.model(), cfg.temperature(),
                    cfg.maxTokens(), cfg.maxAttempts(), cfg.initialBackoffMs(), cfg.maxBackoffMs(), cfg.timeoutSeconds(),
                    cfg.usdPer1kInput(), cfg.usdPer1kOutput());
        }
        if (s.options().containsKey("price_in_per_1k") || s.options().containsKey("price_out_per_1k")) {
            cfg = cfg.withPrices(s.doubleOption("price_in_per_1k", 0), s.doubleOption("price_out_per_1k", 0));
        }
        RemoteStrategy.Builder b = RemoteStrategy.builder().setConfig(cfg);
        if (s.name() != null) {
            b.optName(s.name());
        }
        int k = s.intOption("k", 0);
        if (k > 0) {
            b.optShots(k, new SimilarityShotSelector());
        }
        return b.build();
    }

    /** Gives a strategy the spec's display name without changing its behaviour. */
    static Strategy renamed(Strategy inner, String name) {
        if (name == null) {
            return inner;
        }
        return new Strategy() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public String kind() {
                return inner.kind();
            }

            @Override
            public void prepare(dev.tunelab.data.Split split, dev.tunelab.eval.ProgressListener listener) {
                inner.prepare(split, listener);
            }

            @Override
            public dev.tunelab.eval.Prediction predict(dev.tunelab.data.Example example) {
                return inner.predict(example);
            }

            @Override
            public dev.tunelab.eval.StrategyCost cost() {
                return inner.cost();
            }

            @Override
            public void close() {
                inner.close();
            }
        };
    }
}
