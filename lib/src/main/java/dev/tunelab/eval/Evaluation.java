package dev.tunelab.eval;

import dev.tunelab.data.Example;
import dev.tunelab.data.Split;
import dev.tunelab.data.TaskType;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs a {@link Strategy} over examples and scores it.
 * <pre>{@code
 * EvaluationResult r = Evaluation.of(strategy).optListener(progress).run(split);   // prepare + test set
 * r.metric("accuracy"); r.errors();
 * }</pre>
 * Metrics: classification → accuracy, macro_precision, macro_recall, macro_f1, micro_f1, weighted_f1 (and the
 * per-class scores and confusion matrix in {@link EvaluationResult#classification()}); generation → exact_match,
 * token_f1, bleu (corpus, 13a), rouge1, rouge2, rougeL (mean F); always → examples, latency_p50_ms, latency_p95_ms,
 * latency_mean_ms, tokens_in, tokens_out, tokens_total.
 */
public final class Evaluation {
    public static final String STAGE = "evaluate";
    private final Strategy strategy;
    private ProgressListener listener = ProgressListener.NONE;
    private List<String> labels = List.of();

    private Evaluation(Strategy strategy) {
        this.strategy = strategy;
    }

    public static Evaluation of(Strategy strategy) {
        return new Evaluation(strategy);
    }

    public Evaluation optListener(ProgressListener listener) {
        this.listener = listener == null ? ProgressListener.NONE : listener;
        return this;
    }

    /** The label set for classification (default: labels seen in references and predictions). */
    public Evaluation optLabels(List<String> labels) {
        this.labels = List.copyOf(labels);
        return this;
    }

    /** Prepares the strategy on the split, then evaluates it on the split's test part. */
    public EvaluationResult run(Split split) {
        strategy.prepare(split, listener);
        if (!split.labels().isEmpty() && labels.isEmpty()) {
            labels = split.labels();
        }
        return run(split.test(), split.task());
    }

    /** Evaluates an already prepared strategy on these examples. */
    public EvaluationResult run(List<Example> examples, TaskType task) {
        if (examples.isEmpty()) {
            throw new IllegalArgumentException("no examples to evaluate " + strategy.name() + " on");
        }
        List<ExampleResult> results = new ArrayList<>(examples.size());
        for (int i = 0; i < examples.size(); i++) {
            Example ex = examples.get(i);
            long start = System.nanoTime();
            Prediction p;
            try {
                p = strategy.predict(ex);
            } catch (RuntimeException e) {
                throw new IllegalStateException("strategy " + strategy.name() + " failed on example " + ex.id()
                        + ": " + e.getMessage(), e);
            }
            double wall = (System.nanoTime() - start) / 1e6;
            double latency = p.latencyMs() > 0 ? p.latencyMs() : wall;
            results.add(score(ex, p, task, latency));
            listener.progress(STAGE, i + 1, examples.size(), ex.id());
        }
        return aggregate(results, task);
    }

    private ExampleResult score(Example ex, Prediction p, TaskType task, double latency) {
        String predicted;
        boolean correct;
        double f1;
        if (task == TaskType.CLASSIFICATION) {
            predicted = p.label() != null ? p.label() : matchLabel(p.text());
            correct = ex.target().equals(predicted);
            f1 = correct ? 1 : 0;
        } else {
            predicted = p.text() == null ? "" : p.text();
            correct = TextMetrics.exactMatch(predicted, ex.target());
            f1 = TextMetrics.tokenF1(predicted, ex.target());
        }
        return new ExampleResult(ex.id(), ex.input(), ex.target(), predicted, correct, f1, latency, p.tokensIn(),
                p.tokensOut(), p.sources());
    }

    /** A text that equals a known label (ignoring case and surrounding spaces/punctuation) is that label. */
    private String matchLabel(String text) {
        if (text == null) {
            return null;
        }
        String t = text.strip().replaceAll("^\\p{Punct}+|\\p{Punct}+$", "").toLowerCase(Locale.ROOT);
        for (String l : labels) {
            if (l.toLowerCase(Locale.ROOT).equals(t)) {
                return l;
            }
        }
        return text.strip();
    }

    private EvaluationResult aggregate(List<ExampleResult> results, TaskType task) {
        Map<String, Double> m = new LinkedHashMap<>();
        ClassificationMetrics cls = null;
        List<String> refs = results.stream().map(ExampleResult::reference).toList();
        List<String> preds = results.stream().map(ExampleResult::prediction).toList();
        if (task == TaskType.CLASSIFICATION) {
            cls = labels.isEmpty() ? ClassificationMetrics.of(refs, preds) : ClassificationMetrics.of(refs, preds,
                    labels);
            m.put("accuracy", cls.accuracy());
            m.put("macro_precision", cls.macro().precision());
            m.put("macro_recall", cls.macro().recall());
            m.put("macro_f1", cls.macro().f1());
            m.put("micro_f1", cls.micro().f1());
            m.put("weighted_f1", cls.weighted().f1());
        } else {
            m.put("exact_match", results.stream().mapToDouble(r -> r.correct() ? 1 : 0).average().orElse(0));
            m.put("token_f1", results.stream().mapToDouble(ExampleResult::tokenF1).average().orElse(0));
            m.put("bleu", Bleu.corpus(preds, refs).score());
            m.put("rouge1", Rouge.corpusRougeN(preds, refs, 1));
            m.put("rouge2", Rouge.corpusRougeN(preds, refs, 2));
            m.put("rougeL", Rouge.corpusRougeL(preds, refs));
        }
        double[] lat = results.stream().mapToDouble(ExampleResult::latencyMs).sorted().toArray();
        m.put("examples", (double) results.size());
        m.put("latency_p50_ms", percentile(lat, 50));
        m.put("latency_p95_ms", percentile(lat, 95));
        m.put("latency_mean_ms", Arrays.stream(lat).average().orElse(0));
        long in = results.stream().mapToLong(ExampleResult::tokensIn).sum();
        long out = results.stream().mapToLong(ExampleResult::tokensOut).sum();
        m.put("tokens_in", (double) in);
        m.put("tokens_out", (double) out);
        m.put("tokens_total", (double) (in + out));
        return new EvaluationResult(strategy.name(), strategy.kind(), task, m, cls, results);
    }

    /** Linear interpolation between closest ranks (numpy.percentile's default) on sorted values. */
    public static double percentile(double[] sorted, double p) {
        if (sorted.length == 0) {
            throw new IllegalArgumentException("percentile of no values");
        }
        double pos = p / 100.0 * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }
}
