package dev.tunelab.experiment;

import dev.tunelab.data.Split;
import dev.tunelab.eval.ProgressListener;
import dev.tunelab.eval.Strategy;
import dev.tunelab.experiment.ExperimentSpec.StrategySpec;
import dev.tunelab.model.LanguageModel;
import dev.tunelab.track.Tracker;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One dataset split, one base model, several strategies, one {@link #run()}: the fluent way to compare prompting,
 * retrieval and fine-tuning.
 *
 * <pre>{@code
 * Comparison c = Experiment.named("sentiment")
 *         .split(LocalData.sentiment(32, 8, 20, 42))
 *         .model(Models::defaultModel)
 *         .zeroShot().similarityFewShot(4).lora(8, 2).knn(5)
 *         .run();
 * }</pre>
 *
 * Strategies are created lazily (through suppliers) and closed after their evaluation, so only one fine-tuned model
 * copy lives at a time.
 */
public final class Experiment {
    private final String name;
    private Split split;
    private final List<Function<ModelPool, Strategy>> strategies = new ArrayList<>();
    private Supplier<LanguageModel> model;
    private List<dev.tunelab.data.Example> knowledge;
    private final Map<String, Object> config = new LinkedHashMap<>();
    private Pricing pricing = Pricing.defaults();
    private ProgressListener listener = ProgressListener.NONE;
    private Tracker tracker;
    private double generationCorrectF1 = 0.5;

    private Experiment(String name) {
        this.name = name;
    }

    public static Experiment named(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("experiment name must not be blank");
        }
        return new Experiment(name);
    }

    /**
     * The experiment a spec describes: its dataset split (from the dataset cache or ../shared/datasets), pricing,
     * threshold and strategies. {@code model} supplies the base model for model-based strategies.
     */
    public static Experiment fromSpec(ExperimentSpec spec, Supplier<LanguageModel> model) {
        ExperimentSpec.DatasetSpec d = spec.dataset();
        Split split = switch (d.name()) {
            case "sentiment-uci" -> LocalData.sentiment(d.train(), d.validation(), d.test(), d.seed());
            case "medquad" -> LocalData.medquad(d.train(), d.validation(), d.test(), d.seed());
            default -> throw new SpecException(null, "dataset.name", "unknown dataset '" + d.name() + "'");
        };
        Experiment e = named(spec.name()).split(split).model(model).pricing(spec.pricing())
                .knowledge(d.name().equals("medquad") ? LocalData.medquadPairs() : null)
                .generationCorrectF1(spec.generationCorrectF1()).config("model", spec.model()).config("dataset", d);
        spec.strategies().forEach(e::strategy);
        return e;
    }

    /**
     * The documents RAG strategies retrieve from: each example's target (answer) is one document, with its fields as
     * metadata. Default: the split's train answers.
     */
    public Experiment knowledge(List<dev.tunelab.data.Example> documents) {
        this.knowledge = documents == null ? null : List.copyOf(documents);
        return this;
    }

    public Experiment split(Split split) {
        this.split = split;
        return this;
    }

    /**
     * The base model. The supplier is called once for a copy shared by prompting and RAG strategies and once more
     * per fine-tuning strategy (which changes its copy's weights), e.g. {@code Models::defaultModel}.
     */
    public Experiment model(Supplier<LanguageModel> factory) {
        this.model = factory;
        return this;
    }

    /** Adds a ready strategy; it is closed after its evaluation. */
    public Experiment strategy(Strategy strategy) {
        strategies.add(pool -> strategy);
        return this;
    }

    /** Adds a strategy built only when its turn comes (keeps one fine-tuned copy in memory at a time). */
    public Experiment strategy(Supplier<Strategy> factory) {
        strategies.add(pool -> factory.get());
        return this;
    }

    /** Adds a strategy described as data (see {@link ExperimentSpec#STRATEGY_OPTIONS} for types and options). */
    public Experiment strategy(StrategySpec spec) {
        strategies.add(pool -> StrategyFactory.create(spec, pool, knowledge));
        return this;
    }

    private Experiment spec(String type, Object... keyValues) {
        Map<String, Object> options = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            options.put((String) keyValues[i], keyValues[i + 1]);
        }
        return strategy(new StrategySpec(type, null, options));
    }

    /** Label scoring (classification) or generation from the instruction alone. */
    public Experiment zeroShot() {
        return spec("zero-shot");
    }

    /** k random demonstrations from the train split. */
    public Experiment fewShot(int k) {
        return spec("few-shot", "k", k);
    }

    /** The k train examples most similar to each query as demonstrations. */
    public Experiment similarityFewShot(int k) {
        return spec("similarity-few-shot", "k", k);
    }

    /** Retrieval-augmented generation over the split's train answers, k passages per question. */
    public Experiment rag(int k) {
        return spec("rag", "k", k);
    }

    /** LoRA adapters of rank r on every linear layer; the base weights stay frozen. */
    public Experiment lora(int r, int epochs) {
        return spec("lora", "r", r, "epochs", epochs);
    }

    /** LoRA on an NF4-quantised frozen base. */
    public Experiment qlora(int r, int epochs) {
        return spec("qlora", "r", r, "epochs", epochs);
    }

    /** Every weight trained. */
    public Experiment fullFineTune(int epochs) {
        return spec("full", "epochs", epochs);
    }

    /** Only the last {@code layers} blocks (and the head) trained. */
    public Experiment freeze(int layers, int epochs) {
        return spec("freeze", "layers", layers, "epochs", epochs);
    }

    /** An OpenAI-compatible remote model (key and base URL from the environment). */
    public Experiment remote(String modelName) {
        return spec("remote", "model", modelName);
    }

    /** TF-IDF k-nearest-neighbours lookup, a model-free retrieval baseline. */
    public Experiment knn(int k) {
        return spec("knn", "k", k);
    }

    /** Bag-of-words logistic regression, a model-free trained baseline (classification only). */
    public Experiment bagOfWords(int epochs) {
        return spec("bow-logreg", "epochs", epochs);
    }

    public Experiment pricing(Pricing pricing) {
        this.pricing = pricing;
        return this;
    }

    public Experiment listener(ProgressListener listener) {
        this.listener = listener == null ? ProgressListener.NONE : listener;
        return this;
    }

    /** Logs config, per-strategy training curves and metrics to this tracker (which the caller finishes). */
    public Experiment tracker(Tracker tracker) {
        this.tracker = tracker;
        return this;
    }

    /** Extra settings recorded with the results (model name, seeds, ...). */
    public Experiment config(String key, Object value) {
        config.put(key, value);
        return this;
    }

    /** Generated answers with at least this token F1 count as right in the per-example results (default 0.5). */
    public Experiment generationCorrectF1(double threshold) {
        if (!(threshold >= 0 && threshold <= 1)) {
            throw new IllegalArgumentException("generationCorrectF1 must be in [0, 1], got " + threshold);
        }
        this.generationCorrectF1 = threshold;
        return this;
    }

    public Comparison run() {
        if (split == null) {
            throw new IllegalStateException("experiment '" + name + "': call split(...) before run()");
        }
        if (strategies.isEmpty()) {
            throw new IllegalStateException("experiment '" + name + "': add at least one strategy before run()");
        }
        if (split.test().isEmpty()) {
            throw new IllegalStateException("experiment '" + name + "': split " + split.name() + " has no test examples");
        }
        Map<String, Object> cfg = new LinkedHashMap<>(config);
        cfg.put("split", split.name());
        cfg.put("pricing", pricing);
        if (tracker != null) {
            tracker.config(Map.of(name, cfg));
        }
        StrategyRunner runner = new StrategyRunner(pricing, generationCorrectF1);
        List<StrategyResult> results = new ArrayList<>();
        List<String> names = new ArrayList<>();
        try (ModelPool pool = new ModelPool(model)) {
            for (Function<ModelPool, Strategy> factory : strategies) {
                try (Strategy s = factory.apply(pool)) {
                    if (names.contains(s.name())) {
                        throw new IllegalArgumentException("experiment '" + name + "': two strategies are named '" + s.name() + "'");
                    }
                    names.add(s.name());
                    StrategyResult r;
                    try {
                        r = runner.run(s, split, listener);
                    } catch (RuntimeException e) {
                        String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                        throw new IllegalStateException("experiment '" + name + "', strategy '" + s.name() + "': " + msg, e);
                    }
                    results.add(r);
                    if (tracker != null) {
                        TrackerLogging.log(tracker, name, r);
                    }
                }
            }
        }
        return new Comparison(name, SplitStats.of(split), cfg, results);
    }
}
