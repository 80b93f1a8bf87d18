package dev.tunelab.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An experiment as data (YAML or JSON), the same thing the fluent {@link Experiment} builds:
 *
 * <pre>
 * name: sentiment
 * dataset: {name: sentiment-uci, train: 64, validation: 16, test: 40, seed: 42}
 * model: default
 * strategies:
 *   - {type: zero-shot}
 *   - {type: lora, r: 8, epochs: 2}
 * </pre>
 *
 * Every field is validated when read; an error names the file and the field path.
 */
public record ExperimentSpec(String name, DatasetSpec dataset, String model, Pricing pricing,
                             double generationCorrectF1, List<StrategySpec> strategies) {

    /** Which data, how much of it, and the split seed. For classification the sizes are per label. */
    public record DatasetSpec(String name, int train, int validation, int test, long seed) {}

    /** One strategy: its type, an optional display name, and its type-specific options (already validated). */
    public record StrategySpec(String type, String name, Map<String, Object> options) {
        public StrategySpec {
            options = Map.copyOf(options);
        }

        public int intOption(String key, int fallback) {
            Object v = options.get(key);
            return v == null ? fallback : ((Number) v).intValue();
        }

        public double doubleOption(String key, double fallback) {
            Object v = options.get(key);
            return v == null ? fallback : ((Number) v).doubleValue();
        }

        public String stringOption(String key, String fallback) {
            Object v = options.get(key);
            return v == null ? fallback : v.toString();
        }

        public boolean boolOption(String key, boolean fallback) {
            Object v = options.get(key);
            return v == null ? fallback : (Boolean) v;
        }
    }

    public static final Set<String> DATASETS = Set.of("sentiment-uci", "medquad");

    /** Per strategy type: its options and their kinds (int, double, string, bool). */
    public static final Map<String, Map<String, String>> STRATEGY_OPTIONS = strategyOptions();

    private static Map<String, Map<String, String>> strategyOptions() {
        Map<String, String> train = Map.of("epochs", "int", "lr", "double", "batch_size", "int", "max_length", "int",
                "seed", "int");
        Map<String, Map<String, String>> m = new LinkedHashMap<>();
        m.put("zero-shot", Map.of());
        m.put("few-shot", Map.of("k", "int", "seed", "int"));
        m.put("similarity-few-shot", Map.of("k", "int", "embedder", "string"));
        m.put("rag", Map.of("k", "int", "max_new_tokens", "int"));
        m.put("lora", merge(train, Map.of("r", "int", "alpha", "double", "dropout", "double", "targets", "string")));
        m.put("qlora", merge(train, Map.of("r", "int", "alpha", "double", "dropout", "double", "targets", "string")));
        m.put("full", train);
        m.put("freeze", merge(train, Map.of("layers", "int", "train_head", "bool")));
        m.put("remote", Map.of("model", "string", "base_url", "string", "k", "int", "price_in_per_1k", "double",
                "price_out_per_1k", "double"));
        m.put("knn", Map.of("k", "int"));
        m.put("bow-logreg", Map.of("epochs", "int", "lr", "double"));
        return m;
    }

    private static Map<String, String> merge(Map<String, String> a, Map<String, String> b) {
        Map<String, String> m = new LinkedHashMap<>(a);
        m.putAll(b);
        return m;
    }

    /** Reads a .yaml/.yml or .json file (by extension; anything else is tried as YAML, a superset of JSON). */
    public static ExperimentSpec read(Path file) {
        String name = file.getFileName().toString().toLowerCase();
        ObjectMapper mapper = name.endsWith(".json") ? new ObjectMapper() : new ObjectMapper(new YAMLFactory());
        JsonNode root;
        try {
            root = mapper.readTree(Files.readString(file));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            var loc = e.getLocation();
            throw new SpecException(file.toString(), "(syntax)", "line " + (loc == null ? "?" : loc.getLineNr())
                    + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new SpecException(file.toString(), "(file)", "cannot read: " + e.getMessage());
        }
        return fromTree(root, file.toString());
    }

    public static ExperimentSpec parse(String text, boolean json, String source) {
        try {
            ObjectMapper mapper = json ? new ObjectMapper() : new ObjectMapper(new YAMLFactory());
            return fromTree(mapper.readTree(text), source);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new SpecException(source, "(syntax)", e.getOriginalMessage());
        }
    }

    static ExperimentSpec fromTree(JsonNode root, String src) {
        SpecFields f = new SpecFields(src);
        if (root == null || !root.isObject()) {
            throw new SpecException(src, "(root)", "must be a mapping with name, dataset and strategies");
        }
        f.allowOnly(root, "", Set.of("name", "dataset", "model", "pricing", "generation_correct_f1", "strategies"));
        String name = f.string(root, "name", null, true);
        JsonNode ds = f.object(root, "dataset", true);
        f.allowOnly(ds, "dataset", Set.of("name", "train", "validation", "test", "seed"));
        String dsName = f.string(ds, "dataset.name", null, true);
        if (!DATASETS.contains(dsName)) {
            throw new SpecException(src, "dataset.name", "unknown dataset '" + dsName + "' (known: " + String.join(", ", DATASETS.stream().sorted().toList()) + ")");
        }
        boolean cls = dsName.equals("sentiment-uci");
        DatasetSpec dataset = new DatasetSpec(dsName, f.integer(ds, "dataset.train", cls ? 64 : 200, 1, 100_000),
                f.integer(ds, "dataset.validation", cls ? 8 : 20, 0, 100_000), f.integer(ds, "dataset.test", cls ? 20 : 30, 1, 100_000),
                f.integer(ds, "dataset.seed", 42, 0, Integer.MAX_VALUE));
        String model = f.string(root, "model", "default", false);
        Pricing pricing = Pricing.defaults();
        JsonNode p = root.get("pricing");
        if (p != null) {
            if (!p.isObject()) {
                throw new SpecException(src, "pricing", "must be a mapping");
            }
            f.allowOnly(p, "pricing", Set.of("local_dollars_per_hour", "remote_dollars_per_1k_input", "remote_dollars_per_1k_output"));
            pricing = new Pricing(f.decimal(p, "pricing.local_dollars_per_hour", pricing.localDollarsPerHour(), 0, 1e6),
                    f.decimal(p, "pricing.remote_dollars_per_1k_input", pricing.remoteDollarsPer1kInput(), 0, 1e6),
                    f.decimal(p, "pricing.remote_dollars_per_1k_output", pricing.remoteDollarsPer1kOutput(), 0, 1e6));
        }
        double threshold = f.decimal(root, "generation_correct_f1", 0.5, 0, 1);
        JsonNode list = root.get("strategies");
        if (list == null || !list.isArray() || list.isEmpty()) {
            throw new SpecException(src, "strategies", "must be a non-empty list");
        }
        List<StrategySpec> strategies = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            StrategySpec s = strategy(f, list.get(i), "strategies[" + i + "]", cls);
            String display = s.name() != null ? s.name() : s.type();
            if (names.contains(display)) {
                throw new SpecException(src, "strategies[" + i + "].name", "duplicate strategy name '" + display + "' (give each a distinct name)");
            }
            names.add(display);
            strategies.add(s);
        }
        return new ExperimentSpec(name, dataset, model, pricing, threshold, strategies);
    }

    private static StrategySpec strategy(SpecFields f, JsonNode n, String path, boolean classification) {
        if (n.isTextual()) {
            String type = n.asText();
            if (!STRATEGY_OPTIONS.containsKey(type)) {
                throw f.error(path, "unknown strategy type '" + type + "' (known: " + String.join(", ", STRATEGY_OPTIONS.keySet()) + ")");
            }
            checkTask(f, path, type, classification);
            return new StrategySpec(type, null, Map.of());
        }
        if (!n.isObject()) {
            throw f.error(path, "must be a strategy type or a mapping with 'type'");
        }
        String type = f.string(n, path + ".type", null, true);
        Map<String, String> known = STRATEGY_OPTIONS.get(type);
        if (known == null) {
            throw f.error(path + ".type", "unknown strategy type '" + type + "' (known: " + String.join(", ", STRATEGY_OPTIONS.keySet()) + ")");
        }
        checkTask(f, path, type, classification);
        Set<String> allowed = new java.util.HashSet<>(known.keySet());
        allowed.add("type");
        allowed.add("name");
        f.allowOnly(n, path, allowed);
        Map<String, Object> options = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : known.entrySet()) {
            String field = path + "." + e.getKey();
            if (!n.has(e.getKey())) {
                continue;
            }
            Object v = switch (e.getValue()) {
                case "int" -> f.integer(n, field, 0, e.getKey().equals("seed") ? 0 : 1, 1_000_000);
                case "double" -> f.decimal(n, field, 0, e.getKey().equals("dropout") ? 0 : 1e-12, 1e6);
                case "bool" -> f.bool(n, field);
                default -> f.string(n, field, null, true);
            };
            options.put(e.getKey(), v);
        }
        Object embedder = options.get("embedder");
        if (embedder != null && !Set.of("tfidf", "minilm").contains(embedder)) {
            throw f.error(path + ".embedder", "must be tfidf or minilm, got '" + embedder + "'");
        }
        return new StrategySpec(type, n.has("name") ? f.string(n, path + ".name", null, true) : null, options);
    }

    private static void checkTask(SpecFields f, String path, String type, boolean classification) {
        if (!classification && type.equals("bow-logreg")) {
            throw f.error(path + ".type", "bow-logreg handles classification only; this dataset is question answering");
        }
    }
}
