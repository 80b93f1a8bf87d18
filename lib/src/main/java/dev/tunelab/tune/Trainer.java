package dev.tunelab.tune;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
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
        tuned.setPrecision(cfg.precision);
        Map<String, NDArray> params = tuned.trainableParameters();
        int padId = cfg.tokenizer == null ? 0 : Math.max(0, cfg.tokenizer.padId());
        LossScaler scaler = !cfg.precision.needsLossScaling() ? null
                : cfg.lossScaler != null ? cfg.lossScaler : LossScaler.defaults();
        TrainerState s = new TrainerState();
        long startNanos = System.nanoTime();
        try (AdamW opt = new AdamW(tuned.model().manager(), cfg.beta1, cfg.beta2, cfg.eps, cfg.weightDecay)) {
            if (cfg.resumeFrom != null) {
                resume(tuned, opt, scaler, s);
            }
            int startStep = s.step;
            List<Integer> order = null;
            int orderEpoch = -1;
            tuned.setTraining(true);
            while (s.step < run.totalSteps && s.stopReason == null) {
                double lossSum = 0;
                boolean overflow = false; // fp16 only: a non-finite loss or gradient skips the step (GradScaler)
                for (int a = 0; a < cfg.gradAccum && !overflow; a++) {
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
                        if (!Double.isFinite(loss) && scaler == null) {
                            s.stopReason = "non-finite loss (" + loss + ") at step " + (s.step + 1) + lastGood(s);
                            break;
                        }
                        overflow = !Double.isFinite(loss);
                        if (!overflow) {
                            gc.backward(scaler == null ? l : scaler.scale(l));
                        }
                    }
                    lossSum += loss;
                    s.tokens += batch.realTokens();
                }
                if (s.stopReason != null) {
                    params.values().forEach(AdamW::zeroGradient);
                    s.failed = true;
                    break;
                }
                if (scaler != null && !overflow) {
                    scaler.unscale(params);
                }
                double scale = 1.0 / cfg.gradAccum;
                double norm = overflow ? Double.NaN : AdamW.gradientNorm(params, scale);
                if (!Double.isFinite(norm) && scaler == null) {
                    params.values().forEach(AdamW::zeroGradient);
                    s.stopReason = "non-finite gradient norm at step " + (s.step + 1) + lastGood(s);
                    s.failed = true;
                    break;
                }
                double lr = run.schedule.at(s.step);
                if (scaler == null || scaler.update(Double.isFinite(norm))) {
                    double clip = cfg.maxGradNorm > 0 && norm > cfg.maxGradNorm ? cfg.maxGradNorm / (norm + 1e-6) : 1.0;
                    opt.step(params, lr, scale * clip);
                    s.optimizerSteps++;
                } else {
                    params.values().forEach(AdamW::zeroGradient); // skipped: the weights and AdamW stay as they were
                }
                s.step++;
                double meanLoss = overflow ? Double.NaN : lossSum / cfg.gradAccum;
                if (!overflow) {
                    s.lossCurve.add(new TrainingResult.Point(s.step, meanLoss));
                }
                if (scaler != null && scaler.exhausted()) {
                    s.stopReason = String.format(java.util.Locale.ROOT, "fp16 overflow: %d steps in a row had inf/NaN "
                            + "gradients (loss scale now %.3g) at step %d", scaler.consecutiveSkips(), scaler.scale(),
                            s.step) + lastGood(s);
                    s.failed = true;
                    break;
                }
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
                    checkpoint(tuned, opt, scaler, s);
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
                checkpoint(tuned, opt, scaler, s);
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
                MemoryProbe.peakResidentBytes(), s.lastCheckpoint, finalEval, cfg.precision,
                scaler == null ? 0 : scaler.skippedSteps(), scaler == null ? Double.NaN : scaler.scale());
        lastOptimizerStateBytes = s.optimizerStateBytes;
        cfg.listeners.forEach(x -> x.onEnd(result));
        return result;
    }

    private static String lastGood(TrainerState s) {
        return "; kept the last good checkpoint" + (s.lastCheckpoint == null ? " (none written)" : ": " + s.lastCheckpoint);
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

    private void evaluateAndCheck(TunedModel tuned, Run run, int padId, TrainerState s) {
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

    private void checkpoint(TunedModel tuned, AdamW opt, LossScaler scaler, TrainerState s) {
        try {
            s.lastCheckpoint = Checkpoints.save(cfg.checkpointDir, s.step, tuned.trainableParameters(), opt.state(),
                    s.toJson(cfg, tuned, scaler), cfg.keepCheckpoints);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint at step " + s.step + " under " + cfg.checkpointDir, e);
        }
        cfg.listeners.forEach(x -> x.onCheckpoint(s.step, s.lastCheckpoint));
    }

    private void resume(TunedModel tuned, AdamW opt, LossScaler scaler, TrainerState s) {
        try (NDManager m = tuned.model().manager().newSubManager()) {
            Path dir = Checkpoints.resolve(cfg.resumeFrom);
            Checkpoints.Loaded ck = Checkpoints.load(dir, m);
            s.restore(ck.state(), cfg, scaler, dir);
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
            opt.load(ck.optimizer(), s.optimizerSteps);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot resume from " + cfg.resumeFrom, e);
        }
    }
}
