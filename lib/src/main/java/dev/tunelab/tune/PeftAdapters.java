package dev.tunelab.tune;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tunelab.model.Safetensors;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * LoRA adapters in Hugging Face PEFT's on-disk layout: {@code adapter_config.json} plus
 * {@code adapter_model.safetensors} holding {@code base_model.model.<module>.lora_A.weight} [r, in] and
 * {@code base_model.model.<module>.lora_B.weight} [out, r].
 */
public final class PeftAdapters {
    public static final String CONFIG = "adapter_config.json";
    public static final String WEIGHTS = "adapter_model.safetensors";
    static final String PREFIX = "base_model.model.";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private PeftAdapters() {}

    /** A LoRA adapter read from disk. Close it to free the tensors once installed. */
    public record Loaded(LoraConfig config, String baseModel, Map<String, NDArray[]> weights, NDManager manager)
            implements AutoCloseable {
        @Override
        public void close() {
            manager.close();
        }
    }

    /** Saves the active adapter of {@code tuned} to {@code dir} (created if needed); files are written atomically. */
    public static void save(TunedModel tuned, Path dir, String baseModelNameOrPath) throws IOException {
        LoraConfig cfg = tuned.loraConfig();
        if (cfg == null || tuned.loraKernels().isEmpty()) {
            throw new IllegalStateException("only LoRA/QLoRA models have an adapter to save (method " + tuned.method().id() + ")");
        }
        Files.createDirectories(dir);
        String name = tuned.activeAdapter();
        LinkedHashMap<String, NDArray> tensors = new LinkedHashMap<>();
        LoraKernel.Adapter first = null;
        for (Map.Entry<String, LoraKernel> e : tuned.loraKernels().entrySet()) {
            if (!e.getValue().adapters().containsKey(name)) {
                continue;
            }
            LoraKernel.Adapter ad = e.getValue().adapter(name);
            first = first == null ? ad : first;
            tensors.put(PREFIX + e.getKey() + ".lora_A.weight", ad.a);
            tensors.put(PREFIX + e.getKey() + ".lora_B.weight", ad.b);
        }
        Safetensors.write(dir.resolve(WEIGHTS), tensors, Safetensors.Precision.F32, null);
        ObjectNode c = JSON.createObjectNode();
        c.put("peft_type", "LORA");
        c.put("task_type", "CAUSAL_LM");
        c.put("base_model_name_or_path", baseModelNameOrPath == null ? "" : baseModelNameOrPath);
        c.put("r", first.r);
        c.put("lora_alpha", first.alpha);
        c.put("lora_dropout", first.dropout);
        c.put("use_rslora", first.rslora);
        c.put("bias", "none");
        c.put("fan_in_fan_out", false);
        c.put("inference_mode", true);
        c.put("init_lora_weights", true);
        c.putNull("modules_to_save");
        c.put("use_dora", false);
        // The adapted modules' short names, as PEFT writes them after resolving "all-linear" or a list.
        java.util.TreeSet<String> shortNames = new java.util.TreeSet<>();
        for (Map.Entry<String, LoraKernel> e : tuned.loraKernels().entrySet()) {
            if (e.getValue().adapters().containsKey(name)) {
                shortNames.add(e.getKey().substring(e.getKey().lastIndexOf('.') + 1));
            }
        }
        ArrayNode arr = c.putArray("target_modules");
        shortNames.forEach(arr::add);
        c.put("revision", (String) null);
        Path tmp = Files.createTempFile(dir, CONFIG, ".tmp");
        JSON.writeValue(tmp.toFile(), c);
        Files.move(tmp, dir.resolve(CONFIG), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Reads an adapter directory into {@code parent}'s sub-manager. */
    public static Loaded read(Path dir, NDManager parent) throws IOException {
        Path configFile = dir.resolve(CONFIG);
        Path weightsFile = dir.resolve(WEIGHTS);
        if (!Files.isRegularFile(configFile)) {
            throw new IOException(dir + ": no " + CONFIG);
        }
        if (!Files.isRegularFile(weightsFile)) {
            throw new IOException(dir + ": no " + WEIGHTS + " (adapter_model.bin pickles are not supported)");
        }
        JsonNode c = JSON.readTree(configFile.toFile());
        String type = c.path("peft_type").asText("");
        if (!type.equals("LORA")) {
            throw new IOException(configFile + ": peft_type is '" + type + "', only LORA is supported");
        }
        if (c.path("fan_in_fan_out").asBoolean(false)) {
            throw new IOException(configFile + ": fan_in_fan_out=true (Conv1D layout) is not supported");
        }
        if (!c.path("bias").asText("none").equals("none")) {
            throw new IOException(configFile + ": bias='" + c.path("bias").asText() + "' is not supported, only 'none'");
        }
        int r = requireInt(c, "r", configFile);
        double alpha = c.has("lora_alpha") ? c.get("lora_alpha").asDouble() : 8.0;
        double dropout = c.path("lora_dropout").asDouble(0.0);
        boolean rslora = c.path("use_rslora").asBoolean(false);
        JsonNode tm = c.path("target_modules");
        List<String> targets = new ArrayList<>();
        String regex = null;
        if (tm.isTextual()) {
            if (tm.asText().equals(LoraConfig.ALL_LINEAR)) {
                targets.add(LoraConfig.ALL_LINEAR);
            } else {
                regex = tm.asText();
            }
        } else if (tm.isArray()) {
            tm.forEach(n -> targets.add(n.asText()));
        } else {
            throw new IOException(configFile + ": target_modules missing");
        }
        LoraConfig config;
        try {
            config = new LoraConfig(r, alpha, dropout, targets, regex, rslora, 0L);
        } catch (IllegalArgumentException e) {
            throw new IOException(configFile + ": " + e.getMessage());
        }
        NDManager manager = parent.newSubManager();
        try {
            Map<String, NDArray> raw = Safetensors.read(weightsFile, manager);
            Map<String, NDArray[]> weights = new LinkedHashMap<>();
            for (Map.Entry<String, NDArray> e : raw.entrySet()) {
                String key = e.getKey();
                if (!key.startsWith(PREFIX)) {
                    throw new IOException(weightsFile + ": tensor '" + key + "' does not start with " + PREFIX);
                }
                String rest = key.substring(PREFIX.length());
                int slot;
                String module;
                if (rest.endsWith(".lora_A.weight")) {
                    slot = 0;
                    module = rest.substring(0, rest.length() - ".lora_A.weight".length());
                } else if (rest.endsWith(".lora_B.weight")) {
                    slot = 1;
                    module = rest.substring(0, rest.length() - ".lora_B.weight".length());
                } else {
                    throw new IOException(weightsFile + ": unexpected tensor '" + key + "' (only lora_A/lora_B weights)");
                }
                weights.computeIfAbsent(module, k -> new NDArray[2])[slot] = e.getValue();
            }
            for (Map.Entry<String, NDArray[]> e : weights.entrySet()) {
                if (e.getValue()[0] == null || e.getValue()[1] == null) {
                    throw new IOException(weightsFile + ": module '" + e.getKey() + "' lacks lora_A or lora_B");
                }
            }
            return new Loaded(config, c.path("base_model_name_or_path").asText(""), weights, manager);
        } catch (IOException | RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    private static int requireInt(JsonNode c, String field, Path file) throws IOException {
        if (!c.has(field) || !c.get(field).canConvertToInt()) {
            throw new IOException(file + ": field '" + field + "' missing or not an integer");
        }
        return c.get(field).asInt();
    }
}
