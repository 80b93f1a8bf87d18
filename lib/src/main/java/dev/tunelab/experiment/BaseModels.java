package dev.tunelab.experiment;

import dev.tunelab.model.ByteTokenizer;
import dev.tunelab.model.LanguageModel;
import dev.tunelab.model.LlamaConfig;
import dev.tunelab.model.Models;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * Turns the {@code model:} setting of an experiment into a model factory: "default" (the embedded pretrained model,
 * or a tiny random Llama when this build has none), "tiny-random", or a Hugging Face model folder.
 */
public final class BaseModels {
    private static final System.Logger LOG = System.getLogger("dev.tunelab.experiment");

    private BaseModels() {}

    /** The model a setting names, checked now (so a bad path fails before any work starts). */
    public static Supplier<LanguageModel> resolve(String setting) {
        String s = setting == null ? "default" : setting.trim();
        switch (s) {
            case "default":
                if (!defaultAvailable()) {
                    LOG.log(System.Logger.Level.WARNING, "the embedded default model is not in this build; "
                            + "using a tiny random Llama (prompting results are then at chance level)");
                    return BaseModels::tinyRandom;
                }
                return () -> {
                    try {
                        return Models.defaultModel();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e.getMessage(), e);
                    }
                };
            case "tiny-random":
                return BaseModels::tinyRandom;
            default:
                Path dir = Path.of(s);
                if (!Files.isRegularFile(dir.resolve("config.json"))) {
                    throw new IllegalArgumentException("model: '" + s + "' is neither 'default', 'tiny-random' nor a model folder with config.json");
                }
                return () -> {
                    try {
                        return Models.load(dir);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e.getMessage(), e);
                    }
                };
        }
    }

    /** What {@code resolve(setting)} will load, for reports. */
    public static String describe(String setting) {
        String s = setting == null ? "default" : setting.trim();
        if (s.equals("default")) {
            return defaultAvailable() ? "embedded default (" + Models.DEFAULT_MODEL_RESOURCE + ")" : "tiny-random (embedded default missing)";
        }
        return s;
    }

    public static boolean defaultAvailable() {
        return Models.class.getClassLoader().getResource(Models.DEFAULT_MODEL_RESOURCE + "config.json") != null;
    }

    /** Two layers, 64 wide, byte tokenizer, seed 42: for tests and for builds without the default model. */
    public static LanguageModel tinyRandom() {
        LlamaConfig c = LlamaConfig.tiny(259, 64, 128, 2, 4, 2, 2048);
        return Models.random(c, new ByteTokenizer(), 42);
    }
}
