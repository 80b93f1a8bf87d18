package dev.tunelab.tune;

import dev.tunelab.model.TextTokenizer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Builder of a {@link Trainer}, DJL style: {@code setX} required (model, tokenizer for text examples, training
 * data), {@code optX} optional with Hugging Face TrainingArguments-like defaults.
 */
public final class TrainerConfig {
    TunedModel model;
    TextTokenizer tokenizer;
    List<TrainingExample> train;
    List<TrainingExample> validation = List.of();
    double epochs = 1;
    int maxSteps = -1;
    int batchSize = 8;
    int gradAccum = 1;
    double learningRate = 2e-4;
    double weightDecay = 0.0;
    double beta1 = 0.9;
    double beta2 = 0.999;
    double eps = 1e-8;
    double maxGradNorm = 1.0;
    LrSchedule.Kind scheduler = LrSchedule.Kind.LINEAR;
    int warmupSteps = 0;
    int evalEvery = 0;
    String earlyStoppingMetric = "eval_loss";
    int patience = 0;
    Path checkpointDir;
    int saveEvery = 0;
    int keepCheckpoints = 2;
    Path resumeFrom;
    long seed = 42;
    int maxLength = 256;
    boolean appendEos = true;
    boolean shuffle = true;
    Precision precision = Precision.FP32;
    LossScaler lossScaler;
    final List<TrainingListener> listeners = new ArrayList<>();
    final List<Trainer.Evaluator> evaluators = new ArrayList<>();

    TrainerConfig() {}

    public TrainerConfig setModel(TunedModel model) {
        this.model = model;
        return this;
    }

    public TrainerConfig setTokenizer(TextTokenizer tokenizer) {
        this.tokenizer = tokenizer;
        return this;
    }

    public TrainerConfig setTrainData(List<TrainingExample> examples) {
        this.train = List.copyOf(examples);
        return this;
    }

    public TrainerConfig optValidationData(List<TrainingExample> examples) {
        this.validation = List.copyOf(examples);
        return this;
    }

    public TrainerConfig optEpochs(double e) {
        this.epochs = e;
        return this;
    }

    /** Stop after this many optimizer steps (overrides epochs when > 0). */
    public TrainerConfig optMaxSteps(int steps) {
        this.maxSteps = steps;
        return this;
    }

    public TrainerConfig optBatchSize(int b) {
        this.batchSize = b;
        return this;
    }

    public TrainerConfig optGradientAccumulation(int steps) {
        this.gradAccum = steps;
        return this;
    }

    public TrainerConfig optLearningRate(double lr) {
        this.learningRate = lr;
        return this;
    }

    public TrainerConfig optWeightDecay(double wd) {
        this.weightDecay = wd;
        return this;
    }

    public TrainerConfig optBetas(double b1, double b2) {
        this.beta1 = b1;
        this.beta2 = b2;
        return this;
    }

    /** Global gradient-norm clipping threshold; 0 disables clipping. */
    public TrainerConfig optMaxGradNorm(double n) {
        this.maxGradNorm = n;
        return this;
    }

    public TrainerConfig optScheduler(LrSchedule.Kind kind, int warmupSteps) {
        this.scheduler = kind;
        this.warmupSteps = warmupSteps;
        return this;
    }

    /** Evaluate every {@code steps} optimizer steps (0 = only at the end when validation data is set). */
    public TrainerConfig optEvalEvery(int steps) {
        this.evalEvery = steps;
        return this;
    }

    /** Stop when {@code metric} ("eval_loss" or an evaluator's name) has not improved for {@code patience} evals. */
    public TrainerConfig optEarlyStopping(String metric, int patience) {
        this.earlyStoppingMetric = metric;
        this.patience = patience;
        return this;
    }

    public TrainerConfig optEvaluator(Trainer.Evaluator evaluator) {
        this.evaluators.add(evaluator);
        return this;
    }

    /** Write a checkpoint every {@code saveEvery} steps (and at the end) under {@code dir}; keep the newest {@code keep}. */
    public TrainerConfig optCheckpoints(Path dir, int saveEvery, int keep) {
        this.checkpointDir = dir;
        this.saveEvery = saveEvery;
        this.keepCheckpoints = keep;
        return this;
    }

    /** Continue from a checkpoint directory (or the newest checkpoint under it). */
    public TrainerConfig optResumeFrom(Path checkpoint) {
        this.resumeFrom = checkpoint;
        return this;
    }

    public TrainerConfig optSeed(long seed) {
        this.seed = seed;
        return this;
    }

    public TrainerConfig optMaxLength(int tokens) {
        this.maxLength = tokens;
        return this;
    }

    public TrainerConfig optAppendEos(boolean on) {
        this.appendEos = on;
        return this;
    }

    public TrainerConfig optShuffle(boolean on) {
        this.shuffle = on;
        return this;
    }

    public TrainerConfig addListener(TrainingListener listener) {
        this.listeners.add(listener);
        return this;
    }

    /**
     * FP32 (default) or FP16 mixed precision: training starts by putting the model into it
     * ({@link TunedModel#setPrecision}: frozen linear weights stored in fp16, fp16 matmuls, fp32 adapters / master
     * weights / AdamW / norms / loss) and scales the loss dynamically. BF16 is refused by {@link #build()}: DJL
     * 0.35.1 cannot create bf16 arrays (see {@link Precision}).
     */
    public TrainerConfig optPrecision(Precision precision) {
        this.precision = java.util.Objects.requireNonNull(precision, "precision");
        return this;
    }

    /** fp16 only: the dynamic loss scaler (default {@link LossScaler#defaults()}); its state advances and is checkpointed. */
    public TrainerConfig optLossScaler(LossScaler scaler) {
        this.lossScaler = java.util.Objects.requireNonNull(scaler, "scaler");
        return this;
    }

    /** Validates every knob (clear message naming it) and returns the trainer. */
    public Trainer build() {
        if (model == null) {
            throw new IllegalArgumentException("setModel is required");
        }
        if (train == null || train.isEmpty()) {
            throw new IllegalArgumentException("setTrainData is required and must not be empty");
        }
        boolean text = train.stream().anyMatch(e -> e.prompt() != null)
                || validation.stream().anyMatch(e -> e.prompt() != null);
        if (text && tokenizer == null) {
            throw new IllegalArgumentException("setTokenizer is required for (prompt, completion) examples");
        }
        require(batchSize >= 1, "batch size must be >= 1, got " + batchSize);
        require(gradAccum >= 1, "gradient accumulation must be >= 1, got " + gradAccum);
        require(learningRate > 0 && Double.isFinite(learningRate), "learning rate must be > 0, got " + learningRate);
        require(weightDecay >= 0, "weight decay must be >= 0, got " + weightDecay);
        require(maxGradNorm >= 0, "max grad norm must be >= 0, got " + maxGradNorm);
        require(maxSteps > 0 || epochs > 0, "epochs must be > 0 (or max steps set), got " + epochs);
        require(warmupSteps >= 0, "warm-up steps must be >= 0, got " + warmupSteps);
        require(evalEvery >= 0 && saveEvery >= 0, "eval/save intervals must be >= 0");
        require(maxLength >= 2, "max length must be >= 2 tokens, got " + maxLength);
        require(patience >= 0, "patience must be >= 0, got " + patience);
        if (patience > 0 && !earlyStoppingMetric.equals("eval_loss")
                && evaluators.stream().noneMatch(e -> e.name().equals(earlyStoppingMetric))) {
            throw new IllegalArgumentException("early-stopping metric '" + earlyStoppingMetric + "' is neither eval_loss nor an evaluator");
        }
        if (patience > 0 && earlyStoppingMetric.equals("eval_loss") && validation.isEmpty()) {
            throw new IllegalArgumentException("early stopping on eval_loss needs validation data");
        }
        checkPrecision();
        if (model.trainableParameters().isEmpty()) {
            throw new IllegalArgumentException("the model has no trainable parameters");
        }
        return Trainer.of(this);
    }

    /** Precision combinations that cannot run, refused before any weight is touched. */
    private void checkPrecision() {
        model.checkPrecision(precision);
        if (lossScaler != null && !precision.needsLossScaling()) {
            throw new IllegalArgumentException("a loss scaler applies to fp16 training only (precision is "
                    + precision.id() + ")");
        }
        if (resumeFrom != null) {
            try {
                Path dir = Checkpoints.resolve(resumeFrom);
                Precision saved = TrainerState.precisionOf(Checkpoints.json().readTree(
                        dir.resolve(Checkpoints.STATE).toFile()));
                if (saved != precision) {
                    throw new IllegalArgumentException(dir + " was trained in " + saved.id() + " but this run uses "
                            + precision.id() + " (resume needs the same precision)");
                }
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException("cannot resume from " + resumeFrom + ": " + e.getMessage());
            }
        }
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
