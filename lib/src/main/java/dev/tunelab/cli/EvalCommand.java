package dev.tunelab.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tunelab.data.DataFormatException;
import dev.tunelab.data.Dataset;
import dev.tunelab.data.Datasets;
import dev.tunelab.data.Example;
import dev.tunelab.data.Split;
import dev.tunelab.data.TaskType;
import dev.tunelab.eval.Evaluation;
import dev.tunelab.eval.EvaluationResult;
import dev.tunelab.eval.ExampleResult;
import dev.tunelab.eval.Prediction;
import dev.tunelab.eval.Strategy;
import dev.tunelab.eval.StrategyCost;
import dev.tunelab.experiment.AtomicFiles;
import dev.tunelab.model.LanguageModel;
import dev.tunelab.model.Models;
import dev.tunelab.prompt.AnswerParser;
import dev.tunelab.prompt.BalancedShotSelector;
import dev.tunelab.prompt.PromptStrategy;
import dev.tunelab.prompt.RandomShotSelector;
import dev.tunelab.prompt.RemoteConfig;
import dev.tunelab.prompt.RemoteStrategy;
import dev.tunelab.prompt.ShotSelector;
import dev.tunelab.prompt.SimilarityShotSelector;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * `tunelab eval`: one strategy on one data file. The file is split (stratified for classification) into train and
 * test; demonstrations (few-shot) come from train, metrics from test. Strategies are looked up by name in
 * {@link #strategies()}: add a new one there.
 */
final class EvalCommand implements Command {
    /** What a strategy factory gets: parsed options, the split, and the model (loaded on first use, once). */
    record EvalContext(Args args, Split split, int k, long seed, Supplier<LanguageModel> model) {}

    /** Builds the strategy named by --strategy. */
    @FunctionalInterface
    interface StrategyFactory {
        Strategy create(EvalContext ctx) throws Exception;
    }

    /** --strategy name → factory. */
    static Map<String, StrategyFactory> strategies() {
        Map<String, StrategyFactory> m = new LinkedHashMap<>();
        m.put("zero-shot", ctx -> prompting(ctx, 0));
        m.put("few-shot", ctx -> prompting(ctx, ctx.k()));
        return m;
    }

    @Override
    public String name() {
        return "eval";
    }

    @Override
    public String summary() {
        return "Evaluate a prompting or retrieval strategy on a dataset";
    }

    @Override
    public Args args() {
        return RetrievalEval.declare(new Args(name())
                .option("strategy", String.join("|", strategies().keySet()) + "|retrieval", "how to answer")
                .option("data", "file|name", "CSV, TSV/TXT, JSONL or JSON file, or a built-in dataset name")
                .option("out", "file.json", "where metrics and per-example results go", "eval-results.json")
                .option("model", "path|default", "local model: 'default' (embedded) or a checkpoint folder", "default")
                .option("task", "classification|generation", "task type (default: from the field options)")
                .option("text-field", "column", "classification input column", "text")
                .option("label-field", "column", "classification label column", "label")
                .option("question-field", "column", "generation input column", "question")
                .option("answer-field", "column", "generation reference column", "answer")
                .option("columns", "names", "comma-separated column names for CSV/TSV files without a header")
                .option("k", "n", "demonstrations for few-shot", "4")
                .option("selector", "random|balanced|similar", "how few-shot picks demonstrations "
                        + "(default: balanced for classification, random for generation)")
                .option("scoring", "likelihood|generate", "classification: score label words or parse generated text",
                        "likelihood")
                .flag("length-normalize", "divide label log-likelihoods by their token counts")
                .flag("calibrate", "contextual calibration: subtract each label's score on a content-free input")
                .flag("chat", "format prompts with the model's chat template")
                .option("test-fraction", "f", "share of the rows held out for testing", "0.2")
                .option("limit", "n", "evaluate only the first n test examples (a quick run)")
                .option("seed", "n", "seed for the split and the demonstration choice", "42")
                .option("remote", "model", "send prompts to this OpenAI-compatible model instead of a local one "
                        + "(URL and key from OPENAI_BASE_URL / OPENAI_API_KEY or TUNELAB_REMOTE_*)")
                .option("base-url", "url", "remote base URL, e.g. http://localhost:11434/v1 for Ollama")
                .option("usd-per-1k-in", "price", "remote price per 1,000 prompt tokens", "0")
                .option("usd-per-1k-out", "price", "remote price per 1,000 completion tokens", "0"));
    }

    @Override
    public int run(Args args) throws Exception {
        Map<String, StrategyFactory> known = strategies();
        String strategyName = args.require("strategy");
        if (strategyName.equals("retrieval")) {
            return RetrievalEval.run(args);
        }
        StrategyFactory factory = known.get(strategyName);
        if (factory == null) {
            throw new UsageException("eval: unknown strategy '" + strategyName + "' (choose "
                    + String.join("|", known.keySet()) + ")");
        }
        String data = args.require("data");
        boolean recipe = !Files.isRegularFile(Path.of(data)) && isRecipe(data);
        if (!recipe && !Files.isRegularFile(Path.of(data))) {
            throw new UsageException("eval: no such file: " + data);
        }
        int k = args.intValue("k", 0, 256);
        if (strategyName.equals("few-shot") && k == 0) {
            throw new UsageException("eval: few-shot needs --k >= 1 (use --strategy zero-shot for k = 0)");
        }
        long seed = args.intValue("seed", 0, Integer.MAX_VALUE);
        Split split = loadSplit(args, data, recipe, seed);
        System.err.printf("eval: %s, %d train / %d test examples, task %s%s%n", data,
                split.train().size(), split.test().size(), split.task().name().toLowerCase(),
                split.labels().isEmpty() ? "" : ", labels " + split.labels());

        Map<String, LanguageModel> loaded = new ConcurrentHashMap<>();
        Supplier<LanguageModel> model = () -> loaded.computeIfAbsent("m", x -> loadModel(args.get("model")));
        RecordingStrategy strategy = new RecordingStrategy(factory.create(new EvalContext(args, split, k, seed, model)));
        EvaluationResult result;
        StrategyCost cost;
        try (strategy) {
            result = Evaluation.of(strategy).optListener(ConsoleProgress.stderr()).run(split);
            cost = strategy.cost();
        } finally {
            loaded.values().forEach(LanguageModel::close);
        }
        Map<String, Object> doc = report(result, cost, strategy, split, args);
        Path out = args.path("out");
        AtomicFiles.writeString(out, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                .writeValueAsString(doc));
        @SuppressWarnings("unchecked")
        Map<String, Object> metrics = (Map<String, Object>) doc.get("metrics");
        System.out.println("strategy " + result.strategy() + " on " + split.test().size() + " test examples:");
        metrics.forEach((name, value) -> System.out.printf("  %-22s %s%n", name, format(value)));
        System.out.println("wrote " + out);
        return 0;
    }

    private static Strategy prompting(EvalContext ctx, int k) {
        Args args = ctx.args();
        boolean classification = ctx.split().task() == TaskType.CLASSIFICATION;
        if (k == 0 && args.has("k") && ctx.k() != 0) {
            throw new UsageException("eval: --k is for few-shot; zero-shot uses no demonstrations");
        }
        ShotSelector selector = k == 0 ? null : selector(args, classification, ctx.seed());
        if (args.has("remote")) {
            for (String local : List.of("calibrate", "length-normalize", "chat")) {
                if (args.flagSet(local)) {
                    throw new UsageException("eval: --" + local + " applies to local models, not --remote");
                }
            }
            if ("likelihood".equals(args.get("scoring")) && args.has("scoring")) {
                throw new UsageException("eval: remote models answer by generation; drop --scoring likelihood");
            }
            RemoteConfig cfg = RemoteConfig.fromEnvironment(args.get("remote"));
            if (args.has("base-url")) {
                cfg = RemoteConfig.of(args.get("base-url"), cfg.apiKey(), cfg.model());
            }
            cfg = cfg.withPrices(price(args, "usd-per-1k-in"), price(args, "usd-per-1k-out"));
            return RemoteStrategy.builder().setConfig(cfg).optShots(k, selector).build();
        }
        PromptStrategy.Scoring scoring = args.choice("scoring", "likelihood", "generate").equals("likelihood")
                ? PromptStrategy.Scoring.LIKELIHOOD : PromptStrategy.Scoring.GENERATE;
        return PromptStrategy.builder().setModel(ctx.model().get()).optShots(k, selector).optScoring(scoring)
                .optLengthNormalized(args.flagSet("length-normalize")).optCalibrated(args.flagSet("calibrate"))
                .optChat(args.flagSet("chat")).build();
    }

    private static ShotSelector selector(Args args, boolean classification, long seed) {
        String name = args.has("selector") ? args.choice("selector", "random", "balanced", "similar")
                : classification ? "balanced" : "random";
        return switch (name) {
            case "balanced" -> new BalancedShotSelector(seed);
            case "similar" -> new SimilarityShotSelector();
            default -> new RandomShotSelector(seed);
        };
    }

    static LanguageModel loadModel(String spec) {
        try {
            if (spec == null || spec.equals("default")) {
                return Models.defaultModel();
            }
            Path p = Path.of(spec);
            if (Files.isDirectory(p)) {
                return Models.load(p);
            }
            if (spec.matches("[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*")) {
                return Models.fromHub(spec);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
        throw new UsageException("eval: --model '" + spec + "' is neither 'default', a folder, nor org/name");
    }

    /** A built-in dataset name (see Datasets.names()), loaded from the dataset cache. */
    private static boolean isRecipe(String name) {
        try {
            return name.matches("[a-z0-9-]+") && Datasets.names().contains(name);
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static Split loadSplit(Args args, String file, boolean recipe, long seed) {
        Dataset d;
        try {
            if (recipe) {
                d = Datasets.get(file);
            } else {
                var reader = Dataset.reader(Path.of(file));
                if (args.has("columns")) {
                    reader = reader.optHeader(false).optColumns(args.list("columns").toArray(String[]::new));
                }
                d = reader.read();
            }
        } catch (DataFormatException | IllegalArgumentException e) {
            throw new UsageException("eval: " + e.getMessage());
        }
        boolean fieldsGiven = args.has("task") || args.has("question-field") || args.has("answer-field");
        TaskType task = recipe && !fieldsGiven && !d.roles().isEmpty() ? d.task() : task(args);
        boolean classification = task == TaskType.CLASSIFICATION;
        String in = column(d, args, classification ? "text-field" : "question-field");
        String target = column(d, args, classification ? "label-field" : "answer-field");
        d = classification ? d.text(in).label(target) : d.question(in).answer(target);
        d = d.dropEmpty(in, target);
        if (d.size() < 2) {
            throw new UsageException("eval: " + file + " has " + d.size() + " usable rows; need at least 2");
        }
        Split split = holdOut(d, task, args.doubleValue("test-fraction", 0, 1), seed);
        if (args.has("limit")) {
            int limit = args.intValue("limit", 1, Integer.MAX_VALUE);
            List<Example> head = split.test().subList(0, Math.min(limit, split.test().size()));
            split = new Split(split.name(), split.task(), split.labels(), split.train(), split.validation(), head);
        }
        if (split.test().isEmpty()) {
            throw new UsageException("eval: no test examples (raise --test-fraction)");
        }
        return split;
    }

    /**
     * The train/test split of eval; `finetune --test-fraction` calls this too, so a fine-tuned model and a prompting
     * baseline are scored on the same held-out rows.
     */
    static Split holdOut(Dataset d, TaskType task, double testFraction, long seed) {
        return task == TaskType.CLASSIFICATION ? d.splitStratified(1 - testFraction, 0, testFraction, seed)
                : d.split(1 - testFraction, 0, testFraction, seed);
    }

    private static TaskType task(Args args) {
        if (args.has("task")) {
            return args.choice("task", "classification", "generation").equals("classification")
                    ? TaskType.CLASSIFICATION : TaskType.GENERATION;
        }
        if (args.has("question-field") || args.has("answer-field")) {
            return TaskType.GENERATION;
        }
        return TaskType.CLASSIFICATION;
    }

    private static String column(Dataset d, Args args, String option) {
        String c = args.get(option);
        if (!d.columns().contains(c)) {
            throw new UsageException("eval: column '" + c + "' (--" + option + ") not in the file; columns are "
                    + d.columns().stream().filter(x -> !x.equals(Dataset.ID)).toList());
        }
        return c;
    }

    private static double price(Args args, String option) {
        double v;
        try {
            v = Double.parseDouble(args.get(option));
        } catch (NumberFormatException e) {
            throw new UsageException("eval: --" + option + " must be a number, got '" + args.get(option) + "'");
        }
        if (!(v >= 0) || Double.isInfinite(v)) {
            throw new UsageException("eval: --" + option + " must be >= 0, got " + v);
        }
        return v;
    }

    /** Metric names in the order eval documents them, then the prompting extras. */
    private static final List<String> ORDER = List.of("accuracy", "macro_precision", "macro_recall", "macro_f1",
            "micro_f1", "weighted_f1", "exact_match", "token_f1", "bleu", "rouge1", "rouge2", "rougeL", "examples",
            "latency_p50_ms", "latency_p95_ms", "latency_mean_ms", "tokens_in", "tokens_out", "tokens_total");

    private static Map<String, Object> report(EvaluationResult r, StrategyCost cost, RecordingStrategy recorded,
                                              Split split, Args args) {
        Map<String, Object> metrics = new LinkedHashMap<>();
        for (String name : ORDER) {
            if (r.metrics().containsKey(name)) {
                metrics.put(name, r.metrics().get(name));
            }
        }
        r.metrics().keySet().stream().sorted().forEach(name -> metrics.putIfAbsent(name, r.metrics().get(name)));
        if (split.task() == TaskType.CLASSIFICATION) {
            metrics.put("unparsed", recorded.predictions.values().stream()
                    .filter(p -> AnswerParser.UNPARSED.equals(p.label())).count());
        }
        if (cost.extra().get("cost_usd") instanceof Number usd) {
            metrics.put("cost_usd", usd.doubleValue());
        }
        List<Map<String, Object>> examples = new ArrayList<>();
        for (ExampleResult e : r.examples()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("id", e.id());
            row.put("input", e.input());
            row.put("reference", e.reference());
            row.put("prediction", e.prediction());
            row.put("correct", e.correct());
            Prediction p = recorded.predictions.get(e.id());
            if (p != null) {
                row.put("output", p.text());
                if (!p.labelScores().isEmpty()) {
                    row.put("label_scores", p.labelScores());
                }
            }
            row.put("token_f1", e.tokenF1());
            row.put("latency_ms", e.latencyMs());
            row.put("tokens_in", e.tokensIn());
            row.put("tokens_out", e.tokensOut());
            if (!e.sources().isEmpty()) {
                row.put("sources", e.sources());
            }
            examples.add(row);
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("strategy", r.strategy());
        doc.put("kind", r.kind());
        doc.put("data", args.get("data"));
        doc.put("task", split.task().name().toLowerCase());
        doc.put("labels", split.labels());
        doc.put("train_examples", split.train().size());
        doc.put("cost", Map.of("prepare_seconds", cost.trainSeconds(), "peak_memory_bytes", cost.peakMemoryBytes(),
                "extra", cost.extra()));
        doc.put("metrics", metrics);
        if (r.classification() != null) {
            doc.put("classification", r.classification());
        }
        doc.put("examples", examples);
        return doc;
    }

    private static String format(Object v) {
        if (v instanceof Double d) {
            return d == Math.rint(d) && Math.abs(d) < 1e15 ? String.valueOf(d.longValue()) : String.format("%.4f", d);
        }
        return String.valueOf(v);
    }
}
