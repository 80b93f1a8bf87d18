package dev.tunelab.experiment;

import dev.tunelab.data.Example;
import dev.tunelab.data.Split;
import dev.tunelab.data.TaskType;
import dev.tunelab.eval.Prediction;
import dev.tunelab.eval.ProgressListener;
import dev.tunelab.eval.Strategy;
import dev.tunelab.eval.StrategyCost;
import dev.tunelab.experiment.ExperimentSpec.StrategySpec;
import dev.tunelab.model.Generation;
import dev.tunelab.model.LanguageModel;
import dev.tunelab.prompt.PromptTemplate;
import dev.tunelab.prompt.Verbalizer;
import dev.tunelab.tune.LabelScorer;
import dev.tunelab.tune.LoraConfig;
import dev.tunelab.tune.Method;
import dev.tunelab.tune.QuantConfig;
import dev.tunelab.tune.Trainer;
import dev.tunelab.tune.TrainingExample;
import dev.tunelab.tune.TrainingListener;
import dev.tunelab.tune.TrainingResult;
import dev.tunelab.tune.TunedModel;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Fine-tuning (full, freeze, LoRA, QLoRA) as a {@link Strategy}. It trains on the same prompt the zero-shot strategy
 * uses, with the answer as completion and a completion-only loss; classification then predicts by scoring each label
 * word's log-likelihood after the prompt, generation by greedy decoding. It owns (and closes) its copy of the model.
 */
public final class FineTuneStrategy implements Strategy {
    /**
     * @param freezeLayers trained last blocks for {@link Method#FREEZE}
     * @param maxNewTokens generation length for question answering
     */
    public record Settings(Method method, int r, double alpha, double dropout, String targets, int freezeLayers,
                           boolean trainHead, double epochs, double learningRate, int batchSize, int maxLength,
                           int maxNewTokens, long seed) {
        public static Settings defaults(Method method) {
            double lr = method == Method.FULL || method == Method.FREEZE ? 1e-4 : 1e-3;
            return new Settings(method, 8, 16, 0.0, LoraConfig.ALL_LINEAR, 1, true, 1, lr, 8, 128, 48, 42);
        }
    }

    private final String name;
    private final LanguageModel lm;
    private final Settings s;
    private TunedModel tuned;
    private PromptTemplate template;
    private Verbalizer verbalizer;
    private TaskType task;
    private List<String> labels;
    private List<String> labelCompletions;
    private TrainingResult result;

    public FineTuneStrategy(String name, LanguageModel model, Settings settings) {
        this.name = name;
        this.lm = model;
        this.s = settings;
    }

    static Strategy fromSpec(StrategySpec spec, LanguageModel model) {
        Method m = Method.parse(spec.type());
        Settings d = Settings.defaults(m);
        Settings s = new Settings(m, spec.intOption("r", d.r()), spec.doubleOption("alpha", d.alpha()),
                spec.doubleOption("dropout", d.dropout()), spec.stringOption("targets", d.targets()),
                spec.intOption("layers", d.freezeLayers()), spec.boolOption("train_head", d.trainHead()),
                spec.intOption("epochs", (int) d.epochs()), spec.doubleOption("lr", d.learningRate()),
                spec.intOption("batch_size", d.batchSize()), spec.intOption("max_length", d.maxLength()),
                d.maxNewTokens(), spec.intOption("seed", (int) d.seed()));
        String name = spec.name() != null ? spec.name() : switch (m) {
            case LORA -> "lora-r" + s.r();
            case QLORA -> "qlora-r" + s.r();
            case FREEZE -> "freeze-last" + s.freezeLayers();
            case FULL -> "full-finetune";
        };
        return new FineTuneStrategy(name, model, s);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String kind() {
        return "fine-tuning";
    }

    @Override
    public void prepare(Split split, ProgressListener listener) {
        task = split.task();
        labels = split.labels();
        template = PromptTemplate.forTask(task);
        verbalizer = Verbalizer.forLabels(task == TaskType.CLASSIFICATION ? labels : List.of());
        labelCompletions = labels.stream().map(l -> " " + verbalizer.word(l)).toList();
        tuned = switch (s.method()) {
            case FULL -> TunedModel.full(lm.model());
            case FREEZE -> TunedModel.freeze(lm.model(), s.freezeLayers(), s.trainHead());
            case LORA -> TunedModel.lora(lm.model(), lora());
            case QLORA -> TunedModel.qlora(lm.model(), lora(), QuantConfig.nf4());
        };
        List<TrainingExample> train = examples(split.train());
        List<TrainingExample> validation = examples(split.validation());
        int stepsPerEpoch = Math.max(1, (train.size() + s.batchSize() - 1) / s.batchSize());
        String stage = "train " + name;
        result = Trainer.builder().setModel(tuned).setTokenizer(lm.tokenizer()).setTrainData(train)
                .optValidationData(validation).optEpochs(s.epochs()).optLearningRate(s.learningRate())
                .optBatchSize(s.batchSize()).optMaxLength(s.maxLength()).optSeed(s.seed())
                .optEvalEvery(validation.isEmpty() ? 0 : Math.max(1, stepsPerEpoch / 2))
                .addListener(new TrainingListener() {
                    @Override
                    public void onStep(Progress p) {
                        listener.progress(stage, p.step(), p.totalSteps(), String.format("loss %.4f", p.loss()));
                    }
                }).build().train();
        if (result.failed()) {
            throw new IllegalStateException("fine-tuning " + name + " failed: " + result.stopReason());
        }
        tuned.setTraining(false);
    }

    private LoraConfig lora() {
        return LoraConfig.defaults().withR(s.r()).withAlpha(s.alpha()).withDropout(s.dropout()).withTargets(s.targets())
                .withSeed(s.seed());
    }

    private String prompt(Example e) {
        return template.render(e, List.of(), verbalizer);
    }

    private List<TrainingExample> examples(List<Example> rows) {
        List<TrainingExample> out = new ArrayList<>();
        for (Example e : rows) {
            String answer = task == TaskType.CLASSIFICATION ? verbalizer.word(e.target()) : e.target();
            out.add(TrainingExample.of(prompt(e), " " + answer));
        }
        return out;
    }

    @Override
    public Prediction predict(Example example) {
        if (tuned == null) {
            throw new IllegalStateException(name + ": predict() before prepare()");
        }
        long t0 = System.nanoTime();
        String prompt = prompt(example);
        int tokensIn = lm.tokenizer().encode(prompt, true).length;
        if (task == TaskType.CLASSIFICATION) {
            double[] scores = LabelScorer.scores(tuned, lm.tokenizer(), prompt, labelCompletions, s.maxLength());
            Map<String, Double> byLabel = new LinkedHashMap<>();
            int best = 0;
            for (int i = 0; i < scores.length; i++) {
                if (!Double.isFinite(scores[i])) {
                    throw new IllegalStateException(name + ": label '" + labels.get(i) + "' scored " + scores[i] + " on " + example.id());
                }
                byLabel.put(labels.get(i), scores[i]);
                best = scores[i] > scores[best] ? i : best;
            }
            return new Prediction(verbalizer.word(labels.get(best)), labels.get(best), byLabel,
                    (System.nanoTime() - t0) / 1e6, tokensIn, 0, List.of());
        }
        Generation g = lm.generate(prompt, lm.defaults().withGreedy(true).withMaxNewTokens(s.maxNewTokens())
                .withStop(template.stopStrings()));
        return new Prediction(g.text().strip(), null, Map.of(), (System.nanoTime() - t0) / 1e6, g.promptIds().length,
                g.generatedIds().length, List.of());
    }

    @Override
    public StrategyCost cost() {
        if (result == null) {
            return StrategyCost.none();
        }
        Map<String, List<double[]>> curves = new LinkedHashMap<>();
        curves.put("train_loss", result.lossCurve().stream().map(p -> new double[]{p.step(), p.value()}).toList());
        curves.put("validation_loss", result.evalCurve().stream().filter(e -> e.metrics().containsKey("eval_loss"))
                .map(e -> new double[]{e.step(), e.metrics().get("eval_loss")}).toList());
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("method", s.method().id());
        extra.put("total_params", tuned.totalParams());
        extra.put("frozen_weight_bytes", tuned.frozenWeightBytes());
        extra.put("steps", result.steps());
        extra.put("tokens_per_second", result.tokensPerSecond());
        extra.put("stop_reason", result.stopReason());
        extra.put("settings", s);
        return new StrategyCost(result.trainSeconds(), tuned.trainableParams(), result.peakMemoryBytes(), curves, extra);
    }

    @Override
    public void close() {
        if (tuned != null) {
            tuned.close();
        }
        lm.close();
    }
}
