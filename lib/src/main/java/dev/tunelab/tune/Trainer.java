package dev.tunelab.tune;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tunelab.model.TextTokenizer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.ToDoubleFunction;

/**
 * The training loop: AdamW with decoupled weight decay, global-norm clipping, gradient accumulation, LR schedule
 * with warm-up, periodic evaluation with early stopping, atomic checkpoints and exact resume. Deterministic on CPU:
 * data order comes from (seed, epoch) and dropout from (seed, micro-batch index), so the "RNG state" a checkpoint
 * stores is just the step. Build with {@link #builder()}.
 */
public final class Trainer {
    /** An extra evaluation metric computed on the model (e.g. validation accuracy). */
    public record Evaluator(String name, ToDoubleFunction<TunedModel> metric, boolean higherIsBetter) {}

    private final TrainerConfig cfg;

    private Trainer(TrainerConfig cfg) {
        this.cfg = cfg;
    }

    public static TrainerConfig builder() {
        return new TrainerConfig();
    }

    static Trainer of(TrainerConfig cfg) {
        return new Trainer(cfg);
    }

    private record Run(List<TrainingExample.Tokens> train, List<TrainingExample.Tokens> validation, int batchesPerEpoch,
                       int totalSteps, LrSchedule schedule) {}

    private Run plan() {
        TextTokenizer tok = cfg.tokenizer;
        List<TrainingExample.Tokens> train = new ArrayList<>();
        for (TrainingExample e : cfg.train) {
            TrainingExample.Tokens t = e.tokenize(tok, cfg.maxLength, cfg.appendEos);
            if (t.lossTokens() > 0) {
                train.add(t);
            }
        }
        if (train.isEmpty()) {
            throw new IllegalArgumentException("no training example has a completion token to learn");
        }
        List<TrainingExample.Tokens> val = new ArrayList<>();
        for (TrainingExample e : cfg.validation) {
            val.add(e.tokenize(tok, cfg.maxLength, cfg.appendEos));
        }
        int batchesPerEpoch = (train.size() + cfg.batchSize - 1) / cfg.batchSize;
        int stepsPerEpoch = Math.max(1, batchesPerEpoch / cfg.gradAccum);
        int total = cfg.maxSteps > 0 ? cfg.maxSteps : (int) Math.ceil(cfg.epochs * stepsPerEpoch);
        total = Math.max(1, total);
        return new Run(train, val, batchesPerEpoch, total, new LrSchedule(cfg.scheduler, cfg.learningRate,
                cfg.warmupSteps, total));
    }

    public TrainingResult train() {
        TunedModel tuned = cfg.model;
        Run run = plan();
        Map<String, NDArray> params = tuned.trainableParameters();
        int padId = cfg.tokenizer == null ? 0 : Math.max(0, cfg.tokenizer.padId());
        State s = new State();
        long startNanos = System.nanoTime();
        try (AdamW opt = new AdamW(tuned.model().manager(), cfg.beta1, cfg.beta2, cfg.eps, cfg.weightDecay)) {
            if (cfg.resumeFrom != null) {
                resume(tuned, opt, s);
            }
            int startStep = s.step;
            List<Integer> order = null;
            int orderEpoch = -1;
            tuned.setTraining(true);
            while (s.step < run.totalSteps && s.stopReason == null) {
                double lossSum = 0;
                for (int a = 0; a < cfg.gradAccum; a++) {
                    long mb = (long) s.step * cfg.gradAccum + a;
                    int epoch = (int) (mb / run.batchesPerEpoch);
                    if (epoch != orderEpoch) {
                        order = epochOrder(run.train.size(), epoch);
                        orderEpoch = epoch;
                    }
                    int pos = (int) (mb % run.batchesPerEpoch);
                    List<TrainingExample.Tokens> rows = new ArrayList<>();
                    for (int i = pos * cfg.batchSize; i < Math.min(run.train.size(), (pos + 1) * cfg.batchSize); i++) {
                        rows.add(run.train.get(order.get(i)));
                    }
                    Batches.Batch batch = Batches.collate(rows, padId);
                    Engine.getInstance().setRandomSeed((int) (cfg.seed * 1_000_003L + mb));
                    double loss;
                    try (NDManager step = tuned.model().manager().newSubManager();
                         GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray l = Batches.loss(tuned.model(), batch, step);
                        loss = l.getFloat();
                        if (!Double.isFinite(loss)) {
                            s.stopReason = "non-finite loss (" + loss + ") at step " + (s.step + 1)
                                    + "; kept the last good checkpoint" + (s.lastCheckpoint == null ? " (none written)"
                                    : ": " + s.lastCheckpoint);
                            break;
                        }
                        gc.backward(l);
                    }
                    lossSum += loss;
                    s.tokens += batch.realTokens();
                }
                if (s.stopReason != null) {
                    params.values().forEach(AdamW::zeroGradient);
                    s.failed = true;
                    break;
                }
                double scale = 1.0 / cfg.gradAccum;
                double norm = AdamW.gradientNorm(params, scale);
                if (!Double.isFinite(norm)) {
                    params.values().forEach(AdamW::zeroGradient);
                    s.stopReason = "non-finite gradient norm at step " + (s.step + 1) + "; kept the last good checkpoint"
                            + (s.lastCheckpoint == null ? " (none written)" : ": " + s.lastCheckpoint);
                    s.failed = true;
                    break;
                }
                double clip = cfg.maxGradNorm > 0 && norm > cfg.maxGradNorm ? cfg.maxGradNorm / (norm + 1e-6) : 1.0;
                double lr = run.schedule.at(s.step);
                opt.step(params, lr, scale * clip);
                s.step++;
                double meanLoss = lossSum / cfg.gradAccum;
                s.lossCurve.add(new TrainingResult.Point(s.step, meanLoss));
                double elapsed = (System.nanoTime() - startNanos - s.pauseNanos) / 1e9;
                double tps = (s.tokens - s.tokensAtStart) / Math.max(1e-9, elapsed);
                double eta = elapsed / Math.max(1, s.step - startStep) * (run.totalSteps - s.step);
                var progress = new TrainingListener.Progress(s.step, run.totalSteps, (int) ((long) (s.step - 1)
                        * cfg.gradAccum / run.batchesPerEpoch), meanLoss, lr, norm, tps, eta);
                cfg.listeners.forEach(x -> x.onStep(progress));
                long pauseStart = System.nanoTime();
                if (cfg.evalEvery > 0 && s.step % cfg.evalEvery == 0) {
                    evaluateAndCheck(tuned, run, padId, s);
                }
                if (cfg.checkpointDir != null && cfg.saveEvery > 0 && s.step % cfg.saveEvery == 0) {
                    checkpoint(tuned, opt, s);
                }
                s.pauseNanos += System.nanoTime() - pauseStart;
            }
            if (s.stopReason == null) {
                s.stopReason = "max_steps";
            }
            long pauseStart = System.nanoTime();
            if (!s.failed && !run.validation.isEmpty() && (s.evalCurve.isEmpty()
                    || s.evalCurve.get(s.evalCurve.size() - 1).step() != s.step)) {
                evaluateAndCheck(tuned, run, padId, s);
            }
            if (!s.failed && cfg.checkpointDir != null && (s.lastCheckpoint == null
                    || Checkpoints.stepOf(s.lastCheckpoint) != s.step)) {
                checkpoint(tuned, opt, s);
            }
            s.optimizerStateBytes = opt.stateBytes();
            s.pauseNanos += System.nanoTime() - pauseStart;
        } finally {
            tuned.setTraining(false);
        }
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        double trainOnly = Math.max(1e-9, seconds - s.pauseNanos / 1e9);
        Map<String, Double> finalEval = s.evalCurve.isEmpty() ? Map.of() : s.evalCurve.get(s.evalCurve.size() - 1).metrics();
        TrainingResult result = new TrainingResult(s.step, s.stopReason, s.failed, List.copyOf(s.lossCurve),
                List.copyOf(s.evalCurve), seconds, (s.tokens - s.tokensAtStart) / trainOnly, s.tokens,
                MemoryProbe.peakResidentBytes(), s.lastCheckpoint, finalEval);
        lastOptimizerStateBytes = s.optimizerStateBytes;
        cfg.listeners.forEach(x -> x.onEnd(result));
        return result;
    }

    private long lastOptimizerStateBytes;

    /** AdamW moment bytes at the end of the last {@link #train()}. */
    public long optimizerStateBytes() {
        return lastOptimizerStateBytes;
    }

    private List<Integer> epochOrder(int n, int epoch) {
        List<Integer> order = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            order.add(i);
        }
        if (cfg.shuffle) {
            Collections.shuffle(order, new Random(cfg.seed * 1_000_033L + epoch));
        }
        return order;
    }

    private static final class State {
        int step;
        long tokens;
        long tokensAtStart;
        long pauseNanos;
        String stopReason;
        boolean failed;
        Path lastCheckpoint;
        double best = Double.NaN;
        int bestStep;
        int badEvals;
        long optimizerStateBytes;
        final List<TrainingResult.Point> lossCurve = new ArrayList<>();
        final List<TrainingResult.Evaluation> evalCurve = new ArrayList<>();
    }

    /** Token-weighted mean validation loss (no dropout, no autograd). */
    public static double evaluationLoss(TunedModel tuned, List<TrainingExample.Tokens> rows, int batchSize, int padId) {
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        tuned.setTraining(false);
        try {
            double sum = 0;
            long count = 0;
            for (int i = 0; i < rows.size(); i += batchSize) {
                Batches.Batch b = Batches.collate(rows.subList(i, Math.min(rows.size(), i + batchSize)), padId);
                if (b.lossTokens() == 0) {
                    continue;
                }
                try (NDManager m = tuned.model().manager().newSubManager()) {
                    sum += Batches.loss(tuned.model(), b, m).getFloat() * (double) b.lossTokens();
                    count += b.lossTokens();
                }
            }
            return count == 0 ? Double.NaN : sum / count;
        } finally {
            JniUtils.setGradMode(gradMode);
        }
    }

    private void evaluateAndCheck(TunedModel tuned, Run run, int padId, State s) {
        Map<String, Double> metrics = new LinkedHashMap<>();
        if (!run.validation.isEmpty()) {
            metrics.put("eval_loss", evaluationLoss(tuned, run.validation, cfg.batchSize, padId));
        }
        for (Evaluator e : cfg.evaluators) {
            tuned.setTraining(false);
            metrics.put(e.name(), e.metric().applyAsDouble(tuned));
        }
        tuned.setTraining(true);
        if (metrics.isEmpty()) {
            return;
        }
        s.evalCurve.add(new TrainingResult.Evaluation(s.step, metrics));
        cfg.listeners.forEach(x -> x.onEvaluation(s.step, metrics));
        Double value = metrics.get(cfg.earlyStoppingMetric);
        if (cfg.patience <= 0 || value == null) {
            return;
        }
        boolean higher = cfg.evaluators.stream().anyMatch(e -> e.name().equals(cfg.earlyStoppingMetric) && e.higherIsBetter());
        boolean better = Double.isNaN(s.best) || (higher ? value > s.best : value < s.best);
        if (better) {
            s.best = value;
            s.bestStep = s.step;
            s.badEvals = 0;
        } else if (++s.badEvals >= cfg.patience) {
            s.stopReason = String.format(java.util.Locale.ROOT, "early_stopping: %s did not improve for %d evaluations "
                    + "(best %.5f at step %d)", cfg.earlyStoppingMetric, cfg.patience, s.best, s.bestStep);
        }
    }

    private void checkpoint(TunedModel tuned, AdamW opt, State s) {
        ObjectNode st = Checkpoints.json().createObjectNode();
        st.put("step", s.step);
        st.put("seed", cfg.seed);
        st.put("batch_size", cfg.batchSize);
        st.put("grad_accum", cfg.gradAccum);
        st.put("method", tuned.method().id());
        ObjectNode rng = st.putObject("rng");
        rng.put("seed", cfg.seed);
        rng.put("next_micro_batch", (long) s.step * cfg.gradAccum);
        st.put("tokens", s.tokens);
        if (Double.isFinite(s.best)) {
            st.put("best_metric", s.best);
        }
        st.put("best_step", s.bestStep);
        st.put("bad_evals", s.badEvals);
        ArrayNode losses = st.putArray("loss_curve");
        s.lossCurve.forEach(p -> losses.addArray().add(p.step()).add(p.value()));
        ArrayNode evals = st.putArray("eval_curve");
        for (TrainingResult.Evaluation e : s.evalCurve) {
            ObjectNode o = evals.addObject();
            o.put("step", e.step());
            e.metrics().forEach(o::put);
        }
        try {
            s.lastCheckpoint = Checkpoints.save(cfg.checkpointDir, s.step, tuned.trainableParameters(), opt.state(),
                    st, cfg.keepCheckpoints);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint at step " + s.step + " under " + cfg.checkpointDir, e);
        }
        cfg.listeners.forEach(x -> x.onCheckpoint(s.step, s.lastCheckpoint));
    }

    private void resume(TunedModel tuned, AdamW opt, State s) {
        try (NDManager m = tuned.model().manager().newSubManager()) {
            Path dir = Checkpoints.resolve(cfg.resumeFrom);
            Checkpoints.Loaded ck = Checkpoints.load(dir, m);
            JsonNode st = ck.state();
            for (String key : List.of("seed", "batch_size", "grad_accum")) {
                long want = key.equals("seed") ? cfg.seed : key.equals("batch_size") ? cfg.batchSize : cfg.gradAccum;
                if (st.path(key).asLong() != want) {
                    throw new IllegalArgumentException(dir + ": checkpoint has " + key + "=" + st.path(key).asLong()
                            + " but this run uses " + want + " (resume needs the same value)");
                }
            }
            Map<String, NDArray> params = tuned.trainableParameters();
            if (!ck.trainable().keySet().equals(params.keySet())) {
                throw new IllegalArgumentException(dir + ": checkpoint tensors do not match this model's trainable tensors");
            }
            boolean gradMode = JniUtils.isGradMode();
            JniUtils.setGradMode(false);
            try {
                for (Map.Entry<String, NDArray> e : params.entrySet()) {
                    e.getValue().set(ck.trainable().get(e.getKey()).toByteBuffer());
                }
            } finally {
                JniUtils.setGradMode(gradMode);
            }
            s.step = st.path("step").asInt();
            opt.load(ck.optimizer(), s.step);
            s.tokens = st.path("tokens").asLong();
            s.tokensAtStart = s.tokens;
            s.best = st.path("best_metric").isNumber() ? st.get("best_metric").asDouble() : Double.NaN;
            s.bestStep = st.path("best_step").asInt();
            s.badEvals = st.path("bad_evals").asInt();
            st.path("loss_curve").forEach(p -> s.lossCurve.add(new TrainingResult.Point(p.get(0).asInt(), p.get(1).asDouble())));
            for (JsonNode e : st.path("eval_curve")) {
                Map<String, Double> metrics = new LinkedHashMap<>();
                e.fields().forEachRemaining(f -> {
                    if (!f.getKey().equals("step")) {
                        metrics.put(f.getKey(), f.getValue().asDouble());
                    }
                });
                s.evalCurve.add(new TrainingResult.Evaluation(e.path("step").asInt(), metrics));
            }
            s.lastCheckpoint = dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot resume from " + cfg.resumeFrom, e);
        }
    }
}
