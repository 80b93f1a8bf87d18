package dev.tunelab.experiment;

import dev.tunelab.data.Split;
import dev.tunelab.eval.ProgressListener;
import dev.tunelab.eval.Strategy;
import dev.tunelab.track.Tracker;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * One dataset split, one base model, several strategies, one {@link #run()}: the fluent way to compare prompting,
 * retrieval and fine-tuning.
 *
 * <pre>{@code
 * Comparison c = Experiment.named("sentiment")
 *         .split(LocalData.sentiment(32, 8, 20, 42))
 *         .strategy(new KnnStrategy(5))
 *         .strategy(new BagOfWordsClassifier(60, 2.0, 1e-4))
 *         .run();
 * }</pre>
 *
 * Strategies are created lazily (through suppliers) and closed after their evaluation, so only one fine-tuned model
 * copy lives at a time.
 */
public final class Experiment {
    private final String name;
    private Split split;
    private final List<Supplier<Strategy>> strategies = new ArrayList<>();
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

    public Experiment split(Split split) {
        this.split = split;
        return this;
    }

    /** Adds a ready strategy; it is closed after its evaluation. */
    public Experiment strategy(Strategy strategy) {
        strategies.add(() -> strategy);
        return this;
    }

    /** Adds a strategy built only when its turn comes (keeps one fine-tuned copy in memory at a time). */
    public Experiment strategy(Supplier<Strategy> factory) {
        strategies.add(factory);
        return this;
    }

    public Experiment knn(int k) {
        return strategy(() -> new KnnStrategy(k));
    }

    public Experiment bagOfWords(int epochs) {
        return strategy(() -> new BagOfWordsClassifier(epochs, 2.0, 1e-4));
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
        for (Supplier<Strategy> factory : strategies) {
            try (Strategy s = factory.get()) {
                if (names.contains(s.name())) {
                    throw new IllegalArgumentException("experiment '" + name + "': two strategies are named '" + s.name() + "'");
                }
                names.add(s.name());
                StrategyResult r = runner.run(s, split, listener);
                results.add(r);
                if (tracker != null) {
                    TrackerLogging.log(tracker, name, r);
                }
            } catch (Exception e) {
                if (e instanceof RuntimeException re) {
                    throw re;
                }
                throw new IllegalStateException("experiment '" + name + "': " + e.getMessage(), e);
            }
        }
        return new Comparison(name, SplitStats.of(split), cfg, results);
    }
}
