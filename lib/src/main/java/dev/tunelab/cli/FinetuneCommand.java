package dev.tunelab.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tunelab.data.Dataset;
import dev.tunelab.data.Example;
import dev.tunelab.data.Split;
import dev.tunelab.data.TaskType;
import dev.tunelab.eval.Evaluation;
import dev.tunelab.eval.EvaluationResult;
import dev.tunelab.eval.Prediction;
import dev.tunelab.eval.Strategy;
import dev.tunelab.experiment.AtomicFiles;
import dev.tunelab.data.PromptTemplate;
import dev.tunelab.model.LanguageModel;
import dev.tunelab.model.Models;
import dev.tunelab.tune.ConsoleProgressListener;
import dev.tunelab.tune.LabelScorer;
import dev.tunelab.tune.LoraConfig;
import dev.tunelab.tune.LrSchedule;
import dev.tunelab.tune.Method;
import dev.tunelab.tune.Precision;
import dev.tunelab.tune.QuantConfig;
import dev.tunelab.tune.RunMetrics;
import dev.tunelab.tune.Trainer;
import dev.tunelab.tune.TrainerConfig;
import dev.tunelab.tune.TrainingExample;
import dev.tunelab.tune.TrainingResult;
import dev.tunelab.tune.TunedModel;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/** `tunelab finetune`: full / freeze / LoRA / QLoRA fine-tuning of a causal LM on a data file. */
final class FinetuneCommand implements Command {
    @Override
    public String name() {
        return "finetune";
    }

    @Override
    public String summary() {
        return "Fine-tune a model (full, freeze, LoRA, QLoRA) on a dataset";
    }

    @Override
    public Args args() {
        return new Args(name())
                .option("method", "full|freeze|lora|qlora", "fine-tuning method", "lora")
                .option("data", "file", "training data: TSV text<TAB>label, CSV/JSONL with text,label, or Alpaca JSON")
                .option("task", "classification|instruction", "classification (text -> label) or instruction (Alpaca)")
                .option("out", "dir", "output directory (adapter or checkpoint + metrics.json)")
                .option("model", "path|default", "model folder in Hugging Face layout, or the embedded default", "default")
                .option("epochs", "n", "passes over the training data", "1")
                .option("max-steps", "n", "stop after n optimizer steps (overrides --epochs)")
                .option("lr", "x", "peak learning rate", "2e-4")
                .option("batch-size", "n", "examples per micro-batch", "8")
                .option("grad-accum", "n", "micro-batches per optimizer step", "1")
                .option("r", "n", "LoRA rank (PEFT r)", "8")
                .option("alpha", "x", "LoRA alpha (PEFT lora_alpha); scaling = alpha/r", "16")
                .option("dropout", "x", "LoRA dropout (PEFT lora_dropout)", "0.05")
                .option("targets", "list", "LoRA target modules: q_proj,v_proj | all-linear | regex:<pattern>", "q_proj,v_proj")
                .flag("rslora", "rank-stabilised scaling alpha/sqrt(r) (PEFT use_rslora)")
                .option("bits", "4|8", "QLoRA base precision: 4 = NF4 (+ double quantisation), 8 = int8 per row", "4")
                .option("train-last", "n", "freeze: train the last n blocks (plus the head)", "2")
                .flag("freeze-head", "freeze: keep the head (final norm, lm_head) frozen too")
                .option("scheduler", "constant|linear|cosine", "learning-rate schedule", "linear")
                .option("warmup", "n", "warm-up steps", "0")
                .option("weight-decay", "x", "AdamW decoupled weight decay", "0.0")
                .option("max-grad-norm", "x", "clip the global gradient norm (0 = off)", "1.0")
                .option("eval-every", "n", "evaluate on the validation split every n steps (0 = at the end)", "0")
                .option("patience", "n", "early stopping after n evaluations without improvement (0 = off)", "0")
                .option("save-every", "n", "checkpoint every n steps into OUT/checkpoints (0 = only at the end)", "0")
                .option("seed", "n", "seed for data order, dropout and LoRA init", "42")
                .option("resume", "dir", "resume from a checkpoint (or the newest one under dir)")
                .option("val-fraction", "x", "share of the data held out for validation", "0.1")
                .option("max-length", "n", "tokens per example (prompt truncated from the left)", "256")
                .option("prompt", "template", "classification prompt template over columns (\\n = newline)", "{text}\\nLabel:")
                .option("label-names", "map", "classification labels as words, e.g. 0=negative,1=positive")
                .option("max-examples", "n", "use at most n examples of the file (after shuffling)")
                .option("precision", "fp32|bf16|fp16", "training precision: fp16 = mixed precision (frozen linear "
                        + "weights stored in fp16, fp16 matmuls, fp32 adapters/optimizer/norms/loss, dynamic loss "
                        + "scaling); bf16 is refused (DJL 0.35.1 has no bfloat16 dtype)", "fp32")
                .option("test-fraction", "x", "classification: hold out this share of the rows (stratified; the same "
                        + "split as `tunelab eval --test-fraction x --seed n`), train on the rest, report test metrics");
    }

    /** Every knob, validated before any model is loaded. */
    record Plan(Method method, Path data, String task, Path out, String model, double epochs, int maxSteps, double lr,
                int batchSize, int gradAccum, LoraConfig lora, QuantConfig quant, int trainLast, boolean trainHead,
                LrSchedule.Kind scheduler, int warmup, double weightDecay, double maxGradNorm, int evalEvery,
                int patience, int saveEvery, long seed, Path resume, double valFraction, int maxLength,
                String prompt, Map<String, String> labelNames, int maxExamples, double testFraction, Precision precision) {}

    static Plan plan(Args a) {
        Method method;
        try {
            method = Method.parse(a.require("method"));
        } catch (IllegalArgumentException e) {
            throw new UsageException("finetune: --method must be one of full|freeze|lora|qlora, got '" + a.get("method") + "'");
        }
        Path data = Path.of(a.require("data"));
        if (!Files.isRegularFile(data)) {
            throw new UsageException("finetune: --data file not found: " + data);
        }
        String task = a.get("task") != null ? a.choice("task", "classification", "instruction")
                : data.toString().endsWith(".json") ? "instruction" : "classification";
        Path out = Path.of(a.require("out"));
        double epochs = a.doubleValue("epochs", 0, 1e6);
        int maxSteps = a.has("max-steps") ? a.intValue("max-steps", 1, Integer.MAX_VALUE) : -1;
        double lr = a.doubleValue("lr", 0, 10);
        int batch = a.intValue("batch-size", 1, 1 << 16);
        int accum = a.intValue("grad-accum", 1, 1 << 16);
        int r = a.intValue("r", 1, 1 << 16);
        double alpha = a.doubleValue("alpha", 0, 1e6);
        double dropout = number(a, "dropout");
        if (!(dropout >= 0 && dropout < 1)) {
            throw new UsageException("finetune: --dropout must be in [0, 1), got " + a.get("dropout"));
        }
        LoraConfig lora;
        try {
            LoraConfig.Targets t = LoraConfig.parseTargets(a.get("targets"));
            lora = new LoraConfig(r, alpha, dropout, t.names(), t.regex(), a.flagSet("rslora"), 0L);
        } catch (IllegalArgumentException e) {
            throw new UsageException("finetune: --targets: " + e.getMessage());
        }
        int bits = Integer.parseInt(a.choice("bits", "4", "8"));
        int trainLast = a.intValue("train-last", 0, 100_000);
        boolean trainHead = !a.flagSet("freeze-head");
        if (method == Method.FREEZE && trainLast == 0 && !trainHead) {
            throw new UsageException("finetune: --train-last 0 with --freeze-head trains nothing");
        }
        LrSchedule.Kind scheduler;
        try {
            scheduler = LrSchedule.Kind.parse(a.get("scheduler"));
        } catch (IllegalArgumentException e) {
            throw new UsageException("finetune: --scheduler must be one of constant|linear|cosine, got '" + a.get("scheduler") + "'");
        }
        int warmup = a.intValue("warmup", 0, Integer.MAX_VALUE);
        double wd = number(a, "weight-decay");
        if (!(wd >= 0 && wd < 10)) {
            throw new UsageException("finetune: --weight-decay must be >= 0, got " + a.get("weight-decay"));
        }
        double clip = number(a, "max-grad-norm");
        if (!(clip >= 0)) {
            throw new UsageException("finetune: --max-grad-norm must be >= 0, got " + a.get("max-grad-norm"));
        }
        int evalEvery = a.intValue("eval-every", 0, Integer.MAX_VALUE);
        int patience = a.intValue("patience", 0, 100_000);
        int saveEvery = a.intValue("save-every", 0, Integer.MAX_VALUE);
        long seed = a.intValue("seed", 0, Integer.MAX_VALUE);
        Path resume = a.path("resume");
        if (resume != null && !Files.isDirectory(resume)) {
            throw new UsageException("finetune: --resume directory not found: " + resume);
        }
        double valFraction = number(a, "val-fraction");
        if (!(valFraction >= 0 && valFraction < 1)) {
            throw new UsageException("finetune: --val-fraction must be in [0, 1), got " + a.get("val-fraction"));
        }
        if (patience > 0 && valFraction == 0) {
            throw new UsageException("finetune: --patience needs a validation split (--val-fraction > 0)");
        }
        int maxLength = a.intValue("max-length", 2, 1 << 20);
        Map<String, String> labelNames = new LinkedHashMap<>();
        for (String pair : a.list("label-names")) {
            int eq = pair.indexOf('=');
            if (eq <= 0 || eq == pair.length() - 1) {
                throw new UsageException("finetune: --label-names entries must look like 0=negative, got '" + pair + "'");
            }
            labelNames.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
        }
        int maxExamples = a.has("max-examples") ? a.intValue("max-examples", 1, Integer.MAX_VALUE) : Integer.MAX_VALUE;
        Precision precision;
        try {
            precision = Precision.parse(a.get("precision")).requireAvailable();
        } catch (IllegalArgumentException e) {
            throw new UsageException("finetune: --" + e.getMessage());
        }
        double testFraction = -1;
        if (a.has("test-fraction")) {
            testFraction = number(a, "test-fraction");
            if (!(testFraction > 0 && testFraction < 1)) {
                throw new UsageException("finetune: --test-fraction must be in (0, 1), got " + a.get("test-fraction"));
            }
            if (!task.equals("classification")) {
                throw new UsageException("finetune: --test-fraction applies to --task classification");
            }
            if (a.has("max-examples")) {
                throw new UsageException("finetune: --test-fraction and --max-examples cannot be combined "
                        + "(the held-out rows must match eval's split)");
            }
        }
        return new Plan(method, data, task, out, a.get("model"), epochs, maxSteps, lr, batch, accum,
                lora.withSeed(seed), new QuantConfig(bits, bits == 4, null), trainLast, trainHead, scheduler, warmup,
                wd, clip, evalEvery, patience, saveEvery, seed, resume, valFraction, maxLength,
                a.get("prompt").replace("\\n", "\n").replace("\\t", "\t"),
                labelNames, maxExamples, testFraction, precision);
    }

    private static double number(Args a, String name) {
        try {
            return Double.parseDouble(a.get(name).trim());
        } catch (NumberFormatException | NullPointerException e) {
            throw new UsageException("finetune: --" + name + " must be a number, got '" + a.get(name) + "'");
        }
    }

    /** Training pairs from the data file (the data package's loaders), shuffled with the seed. */
    static List<TrainingExample> examples(Plan p, List<String> labelsOut) {
        List<TrainingExample> out = new ArrayList<>();
        String file = p.data().getFileName().toString().toLowerCase(Locale.ROOT);
        if (p.task().equals("instruction")) {
            Dataset d = Dataset.fromAlpaca(p.data()).template(PromptTemplate.alpaca(), PromptTemplate.of("{output}"));
            for (int i = 0; i < d.size(); i++) {
                Map<String, String> row = d.row(i);
                out.add(TrainingExample.of(row.get("prompt"), row.get("completion")));
            }
        } else {
            Dataset d = classificationData(p);
            PromptTemplate prompt = PromptTemplate.of(p.prompt());
            java.util.TreeSet<String> labels = new java.util.TreeSet<>();
            for (int i = 0; i < d.size(); i++) {
                Map<String, String> row = d.row(i);
                String raw = row.get("label").strip();
                String label = " " + p.labelNames().getOrDefault(raw, raw);
                labels.add(label);
                out.add(TrainingExample.of(prompt.render(row), label));
            }
            labelsOut.addAll(labels);
        }
        Collections.shuffle(out, new Random(p.seed()));
        return out.size() > p.maxExamples() ? new ArrayList<>(out.subList(0, p.maxExamples())) : out;
    }

    /** The classification file with text and label columns; the prompt template is checked against its columns. */
    private static Dataset classificationData(Plan p) {
        String file = p.data().getFileName().toString().toLowerCase(Locale.ROOT);
        Dataset d = file.endsWith(".txt") || file.endsWith(".tsv") ? Dataset.fromTsv(p.data(), "text", "label")
                : Dataset.reader(p.data()).read();
        for (String c : List.of("text", "label")) {
            if (!d.columns().contains(c)) {
                throw new UsageException("finetune: " + p.data() + " has no '" + c + "' column (columns: " + d.columns() + ")");
            }
        }
        PromptTemplate.of(p.prompt()).validate(d.columns());
        return d;
    }

    /** With --test-fraction: exactly eval's split (same loader, roles, empty-row filter, seed and split code). */
    static Split heldOutSplit(Plan p) {
        Dataset d = classificationData(p).text("text").label("label").dropEmpty("text", "label");
        return EvalCommand.holdOut(d, TaskType.CLASSIFICATION, p.testFraction(), p.seed());
    }

    /** Training pairs from the train part of {@code split}, shuffled with the seed; label words into labelsOut. */
    static List<TrainingExample> examples(Plan p, Split split, List<String> labelsOut) {
        PromptTemplate prompt = PromptTemplate.of(p.prompt());
        List<TrainingExample> out = new ArrayList<>();
        for (Example e : split.train()) {
            out.add(TrainingExample.of(prompt.render(e.fields()), labelWord(p, e.target())));
        }
        for (String raw : split.labels()) {
            labelsOut.add(labelWord(p, raw));
        }
        Collections.sort(labelsOut);
        Collections.shuffle(out, new Random(p.seed()));
        return out;
    }

    private static String labelWord(Plan p, String raw) {
        return " " + p.labelNames().getOrDefault(raw.strip(), raw.strip());
    }

    @Override
    public int run(Args args) throws Exception {
        Plan p = plan(args);
        List<String> labels = new ArrayList<>();
        Split heldOut = p.testFraction() > 0 ? heldOutSplit(p) : null;
        List<TrainingExample> all = heldOut != null ? examples(p, heldOut, labels) : examples(p, labels);
        if (heldOut != null) {
            System.err.printf(Locale.ROOT, "finetune: %s, %d train / %d held-out test examples (seed %d)%n",
                    p.data(), heldOut.train().size(), heldOut.test().size(), p.seed());
        }
        int nVal = (int) Math.round(all.size() * p.valFraction());
        if (all.size() - nVal < 1) {
            throw new UsageException("finetune: " + p.data() + " has too few examples (" + all.size() + ")");
        }
        List<TrainingExample> validation = all.subList(all.size() - nVal, all.size());
        List<TrainingExample> train = all.subList(0, all.size() - nVal);
        try (LanguageModel lm = p.model().equals("default") ? Models.defaultModel() : Models.load(Path.of(p.model()))) {
            TunedModel tuned;
            try {
                tuned = switch (p.method()) {
                    case FULL -> TunedModel.full(lm.model());
                    case FREEZE -> TunedModel.freeze(lm.model(), p.trainLast(), p.trainHead());
                    case LORA -> TunedModel.lora(lm.model(), p.lora());
                    case QLORA -> TunedModel.qlora(lm.model(), p.lora(), p.quant());
                };
            } catch (IllegalArgumentException e) {
                throw new UsageException("finetune: " + e.getMessage());
            }
            try (tuned) {
                TrainerConfig cfg = Trainer.builder().setModel(tuned).setTokenizer(lm.tokenizer()).setTrainData(train)
                        .optValidationData(validation).optEpochs(p.epochs()).optMaxSteps(p.maxSteps())
                        .optLearningRate(p.lr()).optBatchSize(p.batchSize()).optGradientAccumulation(p.gradAccum())
                        .optScheduler(p.scheduler(), p.warmup()).optWeightDecay(p.weightDecay())
                        .optMaxGradNorm(p.maxGradNorm()).optEvalEvery(p.evalEvery()).optSeed(p.seed())
                        .optMaxLength(p.maxLength()).optPrecision(p.precision()).optCheckpoints(p.out().resolve("checkpoints"), p.saveEvery(), 2)
                        .addListener(new ConsoleProgressListener());
                if (!labels.isEmpty() && !validation.isEmpty()) {
                    cfg.optEvaluator(new Trainer.Evaluator("eval_accuracy",
                            t -> LabelScorer.accuracy(t, lm.tokenizer(), validation, labels, p.maxLength()), true));
                }
                if (p.patience() > 0) {
                    cfg.optEarlyStopping(labels.isEmpty() ? "eval_loss" : "eval_accuracy", p.patience());
                }
                if (p.resume() != null) {
                    cfg.optResumeFrom(p.resume());
                }
                Trainer trainer;
                try {
                    trainer = cfg.build();
                } catch (IllegalArgumentException e) {
                    throw new UsageException("finetune: " + e.getMessage());
                }
                TrainingResult result = trainer.train();
                Files.createDirectories(p.out());
                if (!result.failed()) {
                    if (p.method() == Method.LORA || p.method() == Method.QLORA) {
                        tuned.saveAdapter(p.out(), p.model());
                    } else {
                        Models.save(lm, p.out());
                    }
                }
                RunMetrics metrics = RunMetrics.of(tuned, result, trainer.optimizerStateBytes());
                metrics.write(p.out().resolve("metrics.json"));
                if (heldOut != null && !result.failed()) {
                    testMetrics(p, heldOut, tuned, lm, labels, result, metrics);
                }
                System.out.printf(Locale.ROOT, "finetune %s: %d steps, final loss %.4f, %s; %d/%d trainable params; "
                                + "wrote %s%n", p.method().id(), result.steps(),
                        result.lossCurve().isEmpty() ? Double.NaN : result.lossCurve().get(result.lossCurve().size() - 1).value(),
                        result.finalEval(), metrics.trainableParams(), metrics.totalParams(), p.out());
                if (result.failed()) {
                    System.err.println("tunelab finetune: " + result.stopReason());
                    return 1;
                }
                return 0;
            }
        }
    }

    /** Scores the held-out test split with eval's metrics and writes OUT/test-metrics.json. */
    private static void testMetrics(Plan p, Split split, TunedModel tuned, LanguageModel lm, List<String> words,
                                    TrainingResult result, RunMetrics run) throws java.io.IOException {
        Map<String, String> rawOf = new LinkedHashMap<>();
        for (String raw : split.labels()) {
            rawOf.put(labelWord(p, raw), raw);
        }
        PromptTemplate prompt = PromptTemplate.of(p.prompt());
        tuned.setTraining(false);
        Strategy scorer = new Strategy() {
            @Override
            public String name() {
                return p.method().id();
            }

            @Override
            public String kind() {
                return "finetune";
            }

            @Override
            public Prediction predict(Example e) {
                long t0 = System.nanoTime();
                double[] s = LabelScorer.scores(tuned, lm.tokenizer(), prompt.render(e.fields()), words, p.maxLength());
                Map<String, Double> scores = new LinkedHashMap<>();
                int best = 0;
                for (int i = 0; i < s.length; i++) {
                    scores.put(rawOf.get(words.get(i)), s[i]);
                    best = s[i] > s[best] ? i : best;
                }
                String label = rawOf.get(words.get(best));
                return new Prediction(label, label, scores, (System.nanoTime() - t0) / 1e6, 0, 0, List.of());
            }
        };
        EvaluationResult r = Evaluation.of(scorer).optLabels(split.labels()).run(split.test(), TaskType.CLASSIFICATION);
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("method", p.method().id());
        doc.put("data", p.data().toString());
        doc.put("seed", p.seed());
        doc.put("test_fraction", p.testFraction());
        doc.put("train_examples", split.train().size());
        doc.put("test_examples", split.test().size());
        doc.put("accuracy", r.metric("accuracy"));
        doc.put("macro_f1", r.metric("macro_f1"));
        doc.put("train_seconds", result.trainSeconds());
        doc.put("trainable_params", run.trainableParams());
        doc.put("total_params", run.totalParams());
        AtomicFiles.writeString(p.out().resolve("test-metrics.json"),
                new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(doc));
        System.out.printf(Locale.ROOT, "finetune %s test: accuracy %.4f, macro_f1 %.4f on %d held-out examples%n",
                p.method().id(), r.metric("accuracy"), r.metric("macro_f1"), split.test().size());
    }
}
