package dev.tunelab.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Where models come from: the embedded default, a Hugging Face folder (config.json + model.safetensors +
 * tokenizer.json), the Hub, or random weights for tests.
 *
 * <pre>{@code
 * try (LanguageModel lm = Models.load(Path.of("models/SmolLM2-135M"))) {
 *     System.out.println(lm.generate("The capital of France is", lm.defaults().withMaxNewTokens(8)).text());
 * }
 * }</pre>
 */
public final class Models {
    /** Classpath folder of the embedded default model. */
    public static final String DEFAULT_MODEL_RESOURCE = "dev/tunelab/default-model/";

    private static final List<String> RESOURCE_FILES = List.of("config.json", "model.safetensors", "tokenizer.json",
            "tokenizer_config.json", "generation_config.json", "special_tokens_map.json");

    private Models() {}

    /** A Llama-family model with N(0, 0.02) weights, unit norms and the given seed. */
    public static LanguageModel random(LlamaConfig config, TextTokenizer tokenizer, long seed) {
        LlamaConfig c = withTokenizerIds(config, tokenizer);
        NDManager manager = newManager();
        try {
            Map<String, NDArray> weights = randomWeights(manager, Llama.expectedShapes(c), seed);
            return new DecoderLanguageModel("random-" + c.modelType(), new Llama(c, manager, weights), tokenizer,
                    GenerationOptions.defaults(), ChatTemplates.plain(), null);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** A GPT-2 model with N(0, 0.02) weights, unit layer norms and the given seed. */
    public static LanguageModel random(Gpt2Config config, TextTokenizer tokenizer, long seed) {
        if (tokenizer.vocabSize() > config.vocabSize()) {
            throw new IllegalArgumentException("vocab_size " + config.vocabSize() + " is smaller than the tokenizer's "
                    + tokenizer.vocabSize());
        }
        NDManager manager = newManager();
        try {
            Map<String, NDArray> weights = randomWeights(manager, Gpt2.expectedShapes(config), seed);
            return new DecoderLanguageModel("random-gpt2", new Gpt2(config, manager, weights), tokenizer,
                    GenerationOptions.defaults(), ChatTemplates.plain(), null);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** Just the network of a Hugging Face folder (no tokenizer needed). */
    public static CausalLM loadCausalLM(Path dir) throws IOException {
        ModelConfig config = readConfig(dir.resolve("config.json"));
        NDManager manager = newManager();
        try {
            LinkedHashMap<String, NDArray> weights = Safetensors.readCheckpoint(dir, manager);
            return build(config, manager, weights);
        } catch (IOException | RuntimeException e) {
            manager.close();
            if (e instanceof IllegalArgumentException) {
                throw new IOException(dir + ": " + e.getMessage(), e);
            }
            throw e;
        }
    }

    /**
     * A model by name: "default" (embedded), "classpath:some/folder/", a local folder, or a Hugging Face id
     * "org/name" (downloaded into the HF cache).
     */
    public static LanguageModel load(String spec) throws IOException {
        if (spec == null || spec.isBlank() || spec.equals("default")) {
            return defaultModel();
        }
        if (spec.startsWith("classpath:")) {
            return loadResource(spec.substring("classpath:".length()), RESOURCE_FILES);
        }
        Path p = Path.of(spec);
        if (Files.isDirectory(p)) {
            return load(p);
        }
        if (spec.matches("[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*") && !spec.startsWith(".")) {
            return fromHub(spec);
        }
        throw new IOException("'" + spec + "' is neither a model folder, 'default', classpath:..., nor org/name");
    }

    /**
     * A model folder in Hugging Face layout (config.json, model.safetensors or shards, tokenizer.json,
     * generation_config.json). The tokenizer comes from tokenizer.json (or TuneLab's byte tokenizer when
     * tokenizer_config.json names it).
     */
    public static LanguageModel load(Path dir) throws IOException {
        DjlSetup.ensure();
        if (!Files.isDirectory(dir)) {
            throw new IOException(dir + ": model folder not found");
        }
        TextTokenizer tokenizer = Tokenizers.load(dir);
        CausalLM model = loadCausalLM(dir);
        try {
            GenerationOptions defaults = GenerationDefaults.load(dir.resolve("generation_config.json"));
            return new DecoderLanguageModel(dir.getFileName() == null ? dir.toString() : dir.getFileName().toString(),
                    model, tokenizer, defaults, ChatTemplates.forFolder(dir), dir);
        } catch (IOException | RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /** {@link #load(Path)} of a folder on the classpath (copied to a temp folder first). */
    public static LanguageModel loadResource(String folder, List<String> files) throws IOException {
        Path tmp = Files.createTempDirectory("tunelab-model");
        tmp.toFile().deleteOnExit();
        String prefix = folder.endsWith("/") ? folder : folder + "/";
        for (String f : files) {
            try (InputStream in = Models.class.getClassLoader().getResourceAsStream(prefix + f)) {
                if (in == null) {
                    continue;
                }
                Path target = tmp.resolve(f);
                Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                target.toFile().deleteOnExit();
            }
        }
        if (!Files.exists(tmp.resolve("config.json"))) {
            throw new IOException("classpath:" + prefix + " has no config.json");
        }
        return load(tmp);
    }

    /** The embedded default model (classpath {@value #DEFAULT_MODEL_RESOURCE}). */
    public static LanguageModel defaultModel() throws IOException {
        if (Models.class.getClassLoader().getResource(DEFAULT_MODEL_RESOURCE + "config.json") == null) {
            throw new IOException("the embedded default model is missing: classpath:" + DEFAULT_MODEL_RESOURCE
                    + "config.json not found (it is produced by the pretraining step); use --model PATH instead");
        }
        return loadResource(DEFAULT_MODEL_RESOURCE, RESOURCE_FILES);
    }

    /** A model from the Hugging Face Hub (cached in the HF cache layout; honours HF_HUB_OFFLINE, HF_TOKEN). */
    public static LanguageModel fromHub(String repoId) throws IOException {
        return fromHub(repoId, "main", new HubClient());
    }

    /** {@link #fromHub(String)} at a branch, tag or commit, through a configured client. */
    public static LanguageModel fromHub(String repoId, String revision, HubClient client) throws IOException {
        return load(client.snapshot(repoId, revision));
    }

    /** Writes config.json + model.safetensors (F32) and the tokenizer's files, each atomically. */
    public static void save(LanguageModel lm, Path dir) throws IOException {
        Files.createDirectories(dir);
        saveWeights(lm.model(), dir, Safetensors.Precision.F32);
        Tokenizers.save(lm.tokenizer(), dir, lm.model().config().maxPositions());
        if (lm instanceof DecoderLanguageModel d && d.source() != null) {
            for (String f : List.of("generation_config.json", "special_tokens_map.json")) {
                Path src = d.source().resolve(f);
                if (Files.isRegularFile(src) && !src.toAbsolutePath().equals(dir.resolve(f).toAbsolutePath())) {
                    Path tmp = AtomicFiles.tempFor(dir.resolve(f));
                    Files.copy(src, tmp, StandardCopyOption.REPLACE_EXISTING);
                    AtomicFiles.move(tmp, dir.resolve(f));
                }
            }
        }
    }

    /** config.json + model.safetensors of a network. */
    public static void saveWeights(CausalLM model, Path dir, Safetensors.Precision precision) throws IOException {
        Files.createDirectories(dir);
        ObjectNode json;
        if (model.config() instanceof LlamaConfig c) {
            json = c.toJson();
        } else if (model.config() instanceof Gpt2Config c) {
            json = c.toJson();
        } else {
            throw new IOException("cannot save config of type " + model.config().getClass().getSimpleName());
        }
        json.put("torch_dtype", precision == Safetensors.Precision.BF16 ? "bfloat16" : "float32"); // as stored
        try (NDManager tmp = model.manager().newSubManager()) {
            Map<String, NDArray> tensors = model instanceof Gpt2 g ? g.checkpointTensors(tmp) : model.parameters();
            Safetensors.write(dir.resolve("model.safetensors"), tensors, precision, Map.of());
        }
        ConfigJson.write(dir.resolve("config.json"), json);
    }

    static ModelConfig readConfig(Path configJson) throws IOException {
        JsonNode n = ConfigJson.read(configJson);
        String type = n.hasNonNull("model_type") ? n.get("model_type").asText() : "";
        return switch (type) {
            case "llama", "mistral", "qwen2" -> LlamaConfig.fromJson(n, configJson.toString());
            case "gpt2" -> Gpt2Config.fromJson(n, configJson.toString());
            default -> throw new IOException(configJson + ": model_type '" + type
                    + "' is not supported (llama, mistral, qwen2, gpt2)");
        };
    }

    static CausalLM build(ModelConfig config, NDManager manager, Map<String, NDArray> weights) {
        if (config instanceof LlamaConfig c) {
            return new Llama(c, manager, weights);
        }
        return new Gpt2((Gpt2Config) config, manager, weights);
    }

    static NDManager newManager() {
        DjlSetup.ensure();
        return NDManager.newBaseManager(DjlSetup.defaultDevice());
    }

    private static LlamaConfig withTokenizerIds(LlamaConfig c, TextTokenizer tok) {
        if (tok.vocabSize() > c.vocabSize()) {
            throw new IllegalArgumentException("vocab_size " + c.vocabSize() + " is smaller than the tokenizer's "
                    + tok.vocabSize());
        }
        return c.withSpecialTokens(c.bosId() >= 0 ? c.bosId() : tok.bosId(), c.eosId() >= 0 ? c.eosId() : tok.eosId(),
                c.padId() >= 0 ? c.padId() : tok.padId());
    }

    /** Norm weights 1, LayerNorm biases 0, everything else N(0, 0.02), reproducible from {@code seed}. */
    static Map<String, NDArray> randomWeights(NDManager manager, LinkedHashMap<String, Shape> shapes, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (Map.Entry<String, Shape> e : shapes.entrySet()) {
            String name = e.getKey();
            int n = (int) e.getValue().size();
            ByteBuffer buf = ByteBuffer.allocateDirect(n * 4).order(ByteOrder.nativeOrder());
            boolean norm = name.contains("norm") || name.contains(".ln_");
            for (int i = 0; i < n; i++) {
                float v;
                if (norm) {
                    v = name.endsWith(".weight") ? 1f : 0f;
                } else {
                    v = (float) (gaussian(rng) * 0.02);
                }
                buf.putFloat(v);
            }
            buf.flip();
            out.put(name, manager.create(buf.asFloatBuffer(), e.getValue()));
        }
        return out;
    }

    private static double gaussian(SplittableRandom rng) {
        double u1 = 1.0 - rng.nextDouble();
        double u2 = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }
}
