package dev.tunelab.pretrain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tunelab.model.DjlSetup;
import dev.tunelab.model.GenerationOptions;
import dev.tunelab.model.LanguageModel;
import dev.tunelab.model.LlamaConfig;
import dev.tunelab.model.Models;
import dev.tunelab.model.Safetensors;
import dev.tunelab.model.bpe.BpeTokenizer;
import dev.tunelab.model.bpe.BpeTrainer;
import dev.tunelab.model.bpe.TokenizerFiles;
import dev.tunelab.tune.Checkpoints;
import dev.tunelab.tune.LrSchedule;
import dev.tunelab.tune.Trainer;
import dev.tunelab.tune.TrainingExample;
import dev.tunelab.tune.TrainingListener;
import dev.tunelab.tune.TrainingResult;
import dev.tunelab.tune.TunedModel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Pretrains TuneLab's embedded default model: corpus → BPE tokenizer → random Llama → {@link Trainer} within a
 * wall-clock budget → Hugging Face folder (config.json, model.safetensors in BF16, tokenizer files,
 * generation_config.json, README.md model card, loss_curve.png). The folder is refreshed at every checkpoint, so a
 * run cut short still leaves a usable model.
 *
 * <pre>java -cp ... dev.tunelab.pretrain.PretrainMain --minutes 40 --seed 1234</pre>
 */
public final class PretrainMain {
    /** Prompts for the model card's samples; the first is also the test's generation prompt. */
    public static final List<String> SAMPLE_PROMPTS = List.of("Question: What is high blood pressure?\nAnswer:",
            "Question: What are the symptoms of diabetes?\nAnswer:", "Question: How to prevent the flu?\nAnswer:",
            "Give three tips for staying healthy.\n");

    private final PretrainOptions o;
    private final long startNanos = System.nanoTime();

    private PretrainMain(PretrainOptions options) {
        this.o = options;
    }

    public static void main(String[] args) throws IOException {
        PretrainOptions options;
        try {
            options = PretrainOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("pretrain: " + e.getMessage());
            System.exit(2);
            return;
        }
        new PretrainMain(options).run();
    }

    /** Thrown at a checkpoint to continue from it with a schedule over a new number of steps. */
    private static final class Replan extends RuntimeException {
        final int step;
        final int total;
        final Path checkpoint;

        Replan(int step, int total, Path checkpoint) {
            super("re-plan", null, false, false);
            this.step = step;
            this.total = total;
            this.checkpoint = checkpoint;
        }
    }

    /** Thrown from the step listener when the wall-clock budget is spent. */
    private static final class OutOfTime extends RuntimeException {
        OutOfTime(String message) {
            super(message, null, false, false);
        }
    }

    private double elapsed() {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private void log(String format, Object... args) {
        System.out.printf(Locale.ROOT, "[%7.1fs] " + format + "%n", prepend(elapsed(), args));
        System.out.flush();
    }

    private static Object[] prepend(Object first, Object[] rest) {
        Object[] all = new Object[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }

    void run() throws IOException {
        DjlSetup.ensure();
        log("options: %s", o.commandLine());
        PretrainCorpus corpus = PretrainCorpus.build(o.datasets());
        log("corpus: %d training documents (%,d chars), %d validation documents", corpus.train().size(),
                corpus.trainChars(), corpus.validation().size());
        BpeTrainer bpe = new BpeTrainer(o.vocab(), List.of(BpeTokenizer.END_OF_TEXT, BpeTokenizer.PAD));
        corpus.train().forEach(bpe::addText);
        BpeTokenizer tokenizer = bpe.train();
        Files.createDirectories(o.out());
        TokenizerFiles.write(tokenizer, o.out(), o.seq());
        List<int[]> train = TokenWindows.of(corpus.train(), tokenizer, o.seq());
        List<int[]> validation = TokenWindows.of(corpus.validation(), tokenizer, o.seq());
        List<int[]> probe = validation.subList(0, Math.min(o.evalWindows(), validation.size()));
        log("tokenizer: %d tokens, %d merges; %d training windows (%,d tokens), %d validation windows",
                tokenizer.vocabSize(), tokenizer.merges().size(), train.size(), TokenWindows.tokens(train),
                validation.size());
        int eot = tokenizer.eosId();
        LlamaConfig config = LlamaConfig.tiny(tokenizer.vocabSize(), o.hidden(), o.intermediate(), o.layers(),
                o.heads(), o.kvHeads(), o.seq()).withSpecialTokens(eot, eot, tokenizer.padId());
        writeGenerationConfig(o.out(), eot, tokenizer.padId());

        double secondsPerStep = o.steps() > 0 ? Double.NaN : timeSteps(config, tokenizer, train);
        int steps = o.steps() > 0 ? o.steps() : planSteps(secondsPerStep, validation.size(), probe.size());
        log("plan: %d steps of %d tokens (%s)", steps, o.batch() * o.seq(), Double.isNaN(secondsPerStep)
                ? "--steps" : String.format(Locale.ROOT, "%.2f s/step measured", secondsPerStep));

        RunTracker progress = new RunTracker(steps, corpus, train, validation, probe, tokenizer);
        try (LanguageModel lm = Models.random(config, tokenizer, o.seed())) {
            progress.model = lm;
            TunedModel tuned = TunedModel.full(lm.model());
            Path resumeFrom = o.resume();
            progress.total = steps;
            if (resumeFrom != null) {
                progress.restoreCurves(Checkpoints.resolve(resumeFrom));
                for (int[] r : o.replans()) {
                    if (r[0] <= progress.stepsDone) {
                        progress.replans.add(r);
                        progress.total = r[1];
                    }
                }
            }
            while (true) {
                var builder = Trainer.builder().setModel(tuned).setTokenizer(tokenizer)
                        .setTrainData(examples(train)).optValidationData(examples(probe))
                        .optMaxSteps(progress.total).optBatchSize(o.batch()).optLearningRate(o.lr())
                        .optWeightDecay(o.weightDecay()).optBetas(0.9, 0.95).optMaxGradNorm(1.0)
                        .optScheduler(LrSchedule.Kind.COSINE, o.warmup()).optEvalEvery(o.evalEvery())
                        .optCheckpoints(o.work().resolve("checkpoints"), o.evalEvery(), 1).optSeed(o.seed())
                        .optMaxLength(o.seq()).optAppendEos(false).optShuffle(true).addListener(progress);
                if (resumeFrom != null) {
                    builder.optResumeFrom(resumeFrom);
                }
                try {
                    TrainingResult result = builder.build().train();
                    progress.status = result.failed() ? "failed: " + result.stopReason() : "complete";
                    log("training finished: %s", result.stopReason());
                    break;
                } catch (OutOfTime e) {
                    progress.status = "stopped early: " + e.getMessage();
                    progress.stoppedAt = progress.stepsDone;
                    log("training stopped: %s", e.getMessage());
                    break;
                } catch (Replan r) {
                    progress.replans.add(new int[] {r.step, r.total});
                    progress.total = r.total;
                    resumeFrom = r.checkpoint;
                    log("re-plan at step %d: %d steps in total, continuing from %s", r.step, r.total, r.checkpoint);
                }
            }
            progress.trainSeconds = elapsed() - progress.trainStart;
            Models.saveWeights(lm.model(), o.out(), Safetensors.Precision.BF16);
        }
        finalReport(progress);
    }

    /** Loads the written folder back (BF16 weights, tokenizer.json through DJL) and measures it. */
    private void finalReport(RunTracker p) throws IOException {
        try (LanguageModel back = Models.load(o.out())) {
            double valLoss = DefaultModelEval.meanLoss(back, p.validation, o.batch());
            double probeLoss = DefaultModelEval.meanLoss(back, p.probe, o.batch());
            log("validation: loss %.4f perplexity %.2f (%d windows); probe loss %.5f", valLoss, Math.exp(valLoss),
                    p.validation.size(), probeLoss);
            List<String[]> samples = samples(back);
            ModelCard.write(p.report(p.status, valLoss, p.validation.size(), probeLoss, samples), o.out());
            log("wrote %s", o.out().toAbsolutePath());
        }
    }

    static List<String[]> samples(LanguageModel lm) {
        List<String[]> out = new ArrayList<>();
        for (String prompt : SAMPLE_PROMPTS) {
            out.add(new String[] {prompt, lm.generate(prompt, lm.defaults().withMaxNewTokens(48)).text()});
        }
        return out;
    }

    private static List<TrainingExample> examples(List<int[]> windows) {
        List<TrainingExample> out = new ArrayList<>(windows.size());
        for (int[] w : windows) {
            boolean[] mask = new boolean[w.length];
            java.util.Arrays.fill(mask, true);
            out.add(TrainingExample.ofTokens(w, mask));
        }
        return out;
    }

    /** Seconds per optimizer step, timed on a throw-away model (mean of steps 2 and 3). */
    private double timeSteps(LlamaConfig config, BpeTokenizer tokenizer, List<int[]> train) {
        List<Double> times = new ArrayList<>();
        try (LanguageModel scratch = Models.random(config, tokenizer, o.seed() + 1)) {
            Trainer.builder().setModel(TunedModel.full(scratch.model())).setTokenizer(tokenizer)
                    .setTrainData(examples(train.subList(0, 3 * o.batch()))).optMaxSteps(3).optBatchSize(o.batch())
                    .optMaxLength(o.seq()).optAppendEos(false).addListener(new TrainingListener() {
                        double last = elapsed();

                        @Override
                        public void onStep(TrainingListener.Progress p) {
                            times.add(elapsed() - last);
                            last = elapsed();
                        }
                    }).build().train();
        }
        return (times.get(1) + times.get(2)) / 2;
    }

    /** Final full-validation pass plus samples, in step-equivalents (a forward pass costs about a third of a step). */
    private double reserveSeconds(double secondsPerStep, int validationWindows) {
        return secondsPerStep * (validationWindows / (3.0 * o.batch()) + 15);
    }

    private int planSteps(double secondsPerStep, int validationWindows, int probeWindows) {
        double left = o.minutes() * 60 - elapsed() - reserveSeconds(secondsPerStep, validationWindows);
        double perStep = secondsPerStep * (1 + probeWindows / (3.0 * o.batch() * o.evalEvery()));
        return Math.max(1, (int) (0.95 * left / perStep));
    }

    private static void writeGenerationConfig(Path dir, int eot, int pad) throws IOException {
        Map<String, Object> g = new LinkedHashMap<>();
        g.put("bos_token_id", eot);
        g.put("eos_token_id", eot);
        g.put("pad_token_id", pad);
        g.put("do_sample", false);
        g.put("max_new_tokens", 64);
        g.put("repetition_penalty", 1.2);
        Path tmp = dir.resolve("generation_config.json.tmp");
        Files.writeString(tmp, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(g));
        Files.move(tmp, dir.resolve("generation_config.json"), StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
    }

    /** Logs every step, keeps the curves, exports the model folder at every checkpoint, enforces the budget. */
    private final class RunTracker implements TrainingListener {
        final int planned;
        final PretrainCorpus corpus;
        final List<int[]> train;
        final List<int[]> validation;
        final List<int[]> probe;
        final BpeTokenizer tokenizer;
        final List<double[]> trainLoss = new ArrayList<>();
        final List<double[]> evalLoss = new ArrayList<>();
        final double trainStart = elapsed();
        LanguageModel model;
        final List<int[]> replans = new ArrayList<>();
        int total;
        int firstStep = -1;
        double firstStepAt;
        int stoppedAt = -1;
        double trainSeconds;
        int stepsDone;
        String status = "running";

        RunTracker(int planned, PretrainCorpus corpus, List<int[]> train, List<int[]> validation, List<int[]> probe,
                 BpeTokenizer tokenizer) {
            this.planned = planned;
            this.corpus = corpus;
            this.train = train;
            this.validation = validation;
            this.probe = probe;
            this.tokenizer = tokenizer;
        }

        @Override
        public void onStep(TrainingListener.Progress p) {
            stepsDone = p.step();
            if (firstStep < 0) {
                firstStep = p.step();
                firstStepAt = elapsed();
            }
            trainLoss.add(new double[] {p.step(), p.loss()});
            if (p.step() % 10 == 0 || p.step() <= 5) {
                log("step %d/%d loss %.4f lr %.2e grad-norm %.2f %.0f tok/s", p.step(), p.totalSteps(), p.loss(),
                        p.learningRate(), p.gradNorm(), p.tokensPerSecond());
            }
            if (o.stopAtStep() > 0 && p.step() >= o.stopAtStep()) {
                throw new OutOfTime("--stop-at-step " + o.stopAtStep() + " reached");
            }
            double perStep = (elapsed() - firstStepAt) / Math.max(1, p.step() - firstStep);
            if (o.minutes() > 0 && p.step() - firstStep >= 3
                    && elapsed() + reserveSeconds(perStep, validation.size()) > o.minutes() * 60) {
                throw new OutOfTime(String.format(Locale.ROOT, "wall-clock budget of %s minutes spent after step %d "
                        + "of %d", o.minutes(), p.step(), total));
            }
        }

        @Override
        public void onEvaluation(int step, Map<String, Double> metrics) {
            Double loss = metrics.get("eval_loss");
            if (loss != null) {
                evalLoss.add(new double[] {step, loss});
                log("eval step %d: probe loss %.4f perplexity %.2f", step, loss, Math.exp(loss));
            }
        }

        @Override
        public void onCheckpoint(int step, Path dir) {
            try {
                Models.saveWeights(model.model(), o.out(), Safetensors.Precision.BF16);
                double last = evalLoss.isEmpty() ? Double.NaN : evalLoss.get(evalLoss.size() - 1)[1];
                trainSeconds = elapsed() - trainStart;
                ModelCard.write(report("partial, checkpoint at step " + step, last, probe.size(), last, List.of()),
                        o.out());
                log("exported step %d to %s", step, o.out());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("cannot export the model folder at step " + step, e);
            }
            int newTotal = replanAt(step);
            if (newTotal > 0) {
                throw new Replan(step, newTotal, dir);
            }
        }

        /** A forced re-plan from --replan, or (with a time budget) one when the measured pace misses the budget. */
        int replanAt(int step) {
            for (int[] r : o.replans()) {
                if (r[0] == step && r[1] != total) {
                    return r[1];
                }
            }
            if (o.minutes() <= 0 || step - firstStep < o.evalEvery()) {
                return -1;
            }
            double perStep = (elapsed() - firstStepAt) / (step - firstStep);
            double left = o.minutes() * 60 - elapsed() - reserveSeconds(perStep, validation.size());
            int fit = step + (int) (0.97 * left / perStep);
            boolean off = fit < 0.93 * total || (fit > 1.1 * total && step < 0.6 * total);
            return off && fit - step >= o.evalEvery() ? fit : -1;
        }

        /** Loss and evaluation curves of the steps a resumed run did before. */
        void restoreCurves(Path checkpoint) throws IOException {
            JsonNode state = new ObjectMapper().readTree(checkpoint.resolve("trainer_state.json").toFile());
            state.path("loss_curve").forEach(p -> trainLoss.add(new double[] {p.get(0).asInt(), p.get(1).asDouble()}));
            state.path("eval_curve").forEach(e -> evalLoss.add(new double[] {e.path("step").asInt(),
                    e.path("eval_loss").asDouble()}));
            stepsDone = state.path("step").asInt();
        }

        ModelCard.RunReport report(String status, double valLoss, int valWindows, double probeLoss,
                                   List<String[]> samples) {
            long seen = (long) stepsDone * o.batch() * o.seq();
            return new ModelCard.RunReport(o.reproducing(planned, replans, stoppedAt), status,
                    model == null ? 0 : parameters(), corpus.train().size(),
                    corpus.validation().size(), TokenWindows.tokens(train), TokenWindows.tokens(validation),
                    corpus.sources(), stepsDone, total, seen, trainSeconds, seen / Math.max(1e-9, trainSeconds),
                    valLoss, valWindows, probeLoss, probe.size(), List.copyOf(trainLoss), List.copyOf(evalLoss),
                    samples, Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        }

        long parameters() {
            return model.model().parameters().values().stream().mapToLong(a -> a.size()).sum();
        }
    }
}
