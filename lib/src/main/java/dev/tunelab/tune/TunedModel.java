package dev.tunelab.tune;

import ai.djl.ndarray.NDArray;
import dev.tunelab.model.CausalLM;
import dev.tunelab.model.DenseKernel;
import dev.tunelab.model.Linear;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A model prepared for one fine-tuning method: which tensors train, which are frozen, and (for LoRA/QLoRA) the
 * adapter kernels installed on its linears. Create with {@link #full}, {@link #freeze}, {@link #lora} or
 * {@link #qlora}; closing it releases the adapters and quantised bases (not the model).
 */
public final class TunedModel implements AutoCloseable {
    private static final Pattern BLOCK = Pattern.compile("(?:^|\\.)(?:layers|h|blocks)\\.(\\d+)\\.");

    private final CausalLM model;
    private final Method method;
    private final LinkedHashMap<String, NDArray> trainable = new LinkedHashMap<>();
    private final LinkedHashMap<String, LoraKernel> loraKernels = new LinkedHashMap<>();
    private final LoraConfig loraConfig;
    private final QuantConfig quantConfig;
    private String adapterName = "default";
    private Precision precision = Precision.FP32;

    private TunedModel(CausalLM model, Method method, LoraConfig loraConfig, QuantConfig quantConfig) {
        this.model = model;
        this.method = method;
        this.loraConfig = loraConfig;
        this.quantConfig = quantConfig;
        this.precision = MixedPrecision.detect(model);
        if (precision != Precision.FP32 && method != Method.LORA) {
            throw new IllegalArgumentException(method.id() + " needs the fp32 model, but its linears are already in "
                    + precision.id() + " mixed precision (frozen weights stored in " + precision.id()
                    + "); reload the model");
        }
    }

    /** Block index of an HF parameter or module name ("model.layers.3.mlp..." → 3), or -1 outside blocks. */
    public static int blockIndex(String name) {
        Matcher m = BLOCK.matcher(name);
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    /** Every parameter trains. */
    public static TunedModel full(CausalLM model) {
        TunedModel t = new TunedModel(model, Method.FULL, null, null);
        model.parameters().forEach(t.trainable::put);
        t.applyGradients();
        return t;
    }

    /**
     * Only the last {@code lastBlocks} transformer blocks train, plus the head (final norm and lm_head; with tied
     * embeddings the shared embedding matrix) when {@code trainHead}. {@code lastBlocks = 0, trainHead = true} is
     * feature extraction.
     */
    public static TunedModel freeze(CausalLM model, int lastBlocks, boolean trainHead) {
        int layers = model.config().numLayers();
        if (lastBlocks < 0 || lastBlocks > layers) {
            throw new IllegalArgumentException("train-last must be between 0 and " + layers + ", got " + lastBlocks);
        }
        if (lastBlocks == 0 && !trainHead) {
            throw new IllegalArgumentException("freeze with 0 trainable blocks and a frozen head trains nothing");
        }
        TunedModel t = new TunedModel(model, Method.FREEZE, null, null);
        Map<NDArray, Boolean> headTensors = new IdentityHashMap<>();
        Linear head = model.linears().get("lm_head");
        if (head != null && head.base() != null) {
            headTensors.put(head.base().weight(), true);
        }
        for (Map.Entry<String, NDArray> e : model.parameters().entrySet()) {
            String name = e.getKey();
            int block = blockIndex(name);
            boolean inBlock = block >= 0 && block >= layers - lastBlocks;
            boolean isHead = block < 0 && (headTensors.containsKey(e.getValue()) || isFinalNorm(name));
            if (inBlock || (trainHead && isHead)) {
                t.trainable.put(name, e.getValue());
            }
        }
        t.applyGradients();
        return t;
    }

    private static boolean isFinalNorm(String name) {
        return name.startsWith("model.norm.") || name.startsWith("transformer.ln_f.") || name.startsWith("norm.");
    }

    /** LoRA adapters (named "default") on every linear matched by {@code config}; the rest is frozen. */
    public static TunedModel lora(CausalLM model, LoraConfig config) {
        TunedModel t = new TunedModel(model, Method.LORA, config, null);
        t.installAdapters(null);
        return t;
    }

    /** LoRA on a quantised base: every targeted linear's dense fp32 weight is quantised and then closed. */
    public static TunedModel qlora(CausalLM model, LoraConfig config, QuantConfig quant) {
        TunedModel t = new TunedModel(model, Method.QLORA, config, quant);
        t.installAdapters(quant);
        if (quant.computeType() == ai.djl.ndarray.types.DataType.FLOAT16) {
            t.setPrecision(Precision.FP16); // an fp16 compute type means fp16 matmuls (bnb_4bit_compute_dtype)
        }
        return t;
    }

    private void installAdapters(QuantConfig quant) {
        List<String> matched = new ArrayList<>();
        for (Map.Entry<String, Linear> e : model.linears().entrySet()) {
            String name = e.getKey();
            boolean isHead = name.equals("lm_head") || name.endsWith(".lm_head");
            if (loraConfig.matches(name, isHead)) {
                matched.add(name);
            }
        }
        if (matched.isEmpty()) {
            String want = loraConfig.targetRegex() != null ? "regex " + loraConfig.targetRegex()
                    : String.join(",", loraConfig.targetModules());
            throw new IllegalArgumentException("target modules " + want + " not found in the base model (linears: "
                    + String.join(", ", shortNames()) + ")");
        }
        if (loraConfig.targetRegex() == null && !loraConfig.targetModules().contains(LoraConfig.ALL_LINEAR)) {
            for (String t : loraConfig.targetModules()) {
                if (matched.stream().noneMatch(n -> n.equals(t) || n.endsWith("." + t))) {
                    throw new IllegalArgumentException("target module '" + t + "' not found in the base model (linears: "
                            + String.join(", ", shortNames()) + ")");
                }
            }
        }
        setAllRequiresGradient(false);
        for (String name : matched) {
            Linear linear = model.linears().get(name);
            if (quant != null && linear.base() != null) {
                DenseKernel dense = linear.base();
                QuantizedKernel q = quant.bits() == 4
                        ? new Nf4Kernel(model.manager(), dense.weight(), dense.bias(), quant.doubleQuant(), quant.computeType())
                        : new Int8Kernel(model.manager(), dense.weight(), dense.bias(), quant.computeType());
                linear.replaceBase(q);
                dense.weight().close();
            }
            LoraKernel kernel = new LoraKernel(name, linear.baseKernel(), linear.inFeatures(), linear.outFeatures(),
                    model.manager(), adapterType(quant != null ? quant.computeType() : weightType(linear)));
            kernel.updateLayer(adapterName, loraConfig.r(), loraConfig.loraAlpha(), loraConfig.loraDropout(),
                    loraConfig.useRslora(), loraConfig.seed());
            linear.setKernel(kernel);
            loraKernels.put(name, kernel);
        }
        refreshTrainable();
    }

    /** Adapters train in fp32 (fp64 only for fp64 test models), whatever precision the base computes in. */
    private static ai.djl.ndarray.types.DataType adapterType(ai.djl.ndarray.types.DataType base) {
        return base == ai.djl.ndarray.types.DataType.FLOAT64 ? base : ai.djl.ndarray.types.DataType.FLOAT32;
    }

    private static ai.djl.ndarray.types.DataType weightType(Linear linear) {
        return linear.base() != null ? linear.base().weight().getDataType() : ai.djl.ndarray.types.DataType.FLOAT32;
    }

    private List<String> shortNames() {
        List<String> out = new ArrayList<>();
        for (String n : model.linears().keySet()) {
            String s = n.substring(n.lastIndexOf('.') + 1);
            if (!out.contains(s)) {
                out.add(s);
            }
        }
        return out;
    }

    private void refreshTrainable() {
        trainable.clear();
        for (Map.Entry<String, LoraKernel> e : loraKernels.entrySet()) {
            if (!e.getValue().adapters().containsKey(adapterName)) {
                continue;
            }
            LoraKernel.Adapter ad = e.getValue().adapter(adapterName);
            trainable.put(e.getKey() + ".lora_A.weight", ad.a);
            trainable.put(e.getKey() + ".lora_B.weight", ad.b);
        }
        for (NDArray p : trainable.values()) {
            p.setRequiresGradient(true);
        }
    }

    private void applyGradients() {
        setAllRequiresGradient(false);
        for (NDArray p : trainable.values()) {
            p.setRequiresGradient(true);
        }
    }

    private void setAllRequiresGradient(boolean on) {
        for (NDArray p : model.parameters().values()) {
            if (!p.isReleased()) {
                p.setRequiresGradient(on);
            }
        }
    }

    /**
     * Adds another named adapter to every LoRA module (PEFT's add_adapter) and makes it the active, trained one.
     */
    public TunedModel addAdapter(String name, LoraConfig config) {
        requireLora();
        for (LoraKernel k : loraKernels.values()) {
            k.updateLayer(name, config.r(), config.loraAlpha(), config.loraDropout(), config.useRslora(), config.seed());
        }
        return setActiveAdapter(name);
    }

    /** Switches every LoRA module to adapter {@code name}; the trainable tensors become that adapter's. */
    public TunedModel setActiveAdapter(String name) {
        requireLora();
        if (loraKernels.values().stream().noneMatch(k -> k.adapters().containsKey(name))) {
            throw new IllegalArgumentException("no adapter named '" + name + "'");
        }
        for (LoraKernel k : loraKernels.values()) {
            k.setActiveAdapter(k.adapters().containsKey(name) ? name : null);
        }
        for (NDArray p : trainable.values()) {
            p.setRequiresGradient(false);
        }
        adapterName = name;
        refreshTrainable();
        return this;
    }

    /** A LoRA model whose adapter ("default") is read from a PEFT directory. */
    public static TunedModel fromAdapter(CausalLM model, java.nio.file.Path dir) throws java.io.IOException {
        try (PeftAdapters.Loaded loaded = PeftAdapters.read(dir, model.manager())) {
            TunedModel t = new TunedModel(model, Method.LORA, loaded.config(), null);
            t.installLoaded(loaded, "default");
            return t;
        }
    }

    /** Adds the adapter in PEFT directory {@code dir} under {@code name} and activates it. */
    public TunedModel loadAdapter(java.nio.file.Path dir, String name) throws java.io.IOException {
        try (PeftAdapters.Loaded loaded = PeftAdapters.read(dir, model.manager())) {
            installLoaded(loaded, name);
            return this;
        }
    }

    /** Writes the active adapter in PEFT layout (adapter_config.json + adapter_model.safetensors). */
    public void saveAdapter(java.nio.file.Path dir, String baseModelNameOrPath) throws java.io.IOException {
        PeftAdapters.save(this, dir, baseModelNameOrPath);
    }

    private void installLoaded(PeftAdapters.Loaded loaded, String name) {
        LoraConfig c = loaded.config();
        for (String module : loaded.weights().keySet()) {
            if (!model.linears().containsKey(module)) {
                throw new IllegalArgumentException("adapter module '" + module + "' is not a linear of this model");
            }
        }
        setAllRequiresGradient(false);
        for (Map.Entry<String, NDArray[]> e : loaded.weights().entrySet()) {
            Linear linear = model.linears().get(e.getKey());
            LoraKernel kernel = loraKernels.get(e.getKey());
            if (kernel == null) {
                kernel = new LoraKernel(e.getKey(), linear.baseKernel(), linear.inFeatures(), linear.outFeatures(),
                        model.manager(), adapterType(quantConfig != null ? quantConfig.computeType() : weightType(linear)));
                linear.setKernel(kernel);
                loraKernels.put(e.getKey(), kernel);
            }
            kernel.loadAdapter(name, c.loraAlpha(), c.loraDropout(), c.useRslora(), e.getValue()[0], e.getValue()[1]);
        }
        setActiveAdapter(name);
    }

    public String activeAdapter() {
        return adapterName;
    }

    /**
     * Puts the model into mixed precision {@code p} (see {@link MixedPrecision}): frozen linear weights are stored in
     * half precision from now on (their fp32 arrays are freed; this cannot be undone, reload the model for fp32),
     * trainable ones stay fp32 masters, every linear's matmul runs in half precision. The Trainer calls this for
     * {@code optPrecision}; the model stays in mixed precision after this TunedModel is closed.
     */
    public TunedModel setPrecision(Precision p) {
        checkPrecision(p);
        if (p != precision) {
            MixedPrecision.apply(model, trainable.values(), loraKernels, p.computeType());
            precision = p;
        }
        return this;
    }

    /** Throws (one-line message) when {@link #setPrecision} would refuse {@code p}; changes nothing. */
    void checkPrecision(Precision p) {
        MixedPrecision.check(model, precision, p);
    }

    public Precision precision() {
        return precision;
    }

    private void requireLora() {
        if (loraKernels.isEmpty()) {
            throw new IllegalStateException("method " + method.id() + " has no LoRA adapters");
        }
    }

    /** Dropout on (training) or off (evaluation) in every LoRA branch. */
    public void setTraining(boolean training) {
        for (LoraKernel k : loraKernels.values()) {
            k.setTraining(training);
        }
    }

    /** Folds the active adapter into dense bases (LoRA only); forward results stay the same within rounding. */
    public void mergeAdapter() {
        for (LoraKernel k : loraKernels.values()) {
            k.merge(adapterName);
        }
    }

    public void unmergeAdapter() {
        for (LoraKernel k : loraKernels.values()) {
            k.unmerge(adapterName);
        }
    }

    public CausalLM model() {
        return model;
    }

    public Method method() {
        return method;
    }

    public LoraConfig loraConfig() {
        return loraConfig;
    }

    public QuantConfig quantConfig() {
        return quantConfig;
    }

    /** Trainable tensors by name (LoRA: "module.lora_A.weight"; else HF parameter names). */
    public LinkedHashMap<String, NDArray> trainableParameters() {
        return trainable;
    }

    public LinkedHashMap<String, LoraKernel> loraKernels() {
        return loraKernels;
    }

    public long trainableParams() {
        long n = 0;
        for (NDArray p : trainable.values()) {
            n += p.size();
        }
        return n;
    }

    /** Base model parameters (quantised weights counted by the number of values they represent) plus adapters. */
    public long totalParams() {
        long n = 0;
        Map<NDArray, Boolean> seen = new IdentityHashMap<>();
        for (NDArray p : model.parameters().values()) {
            if (!p.isReleased() && seen.put(p, true) == null) {
                n += p.size();
            }
        }
        for (LoraKernel k : loraKernels.values()) {
            if (k.storedBase() instanceof QuantizedKernel q) {
                n += q.numel();
            }
        }
        return n + (method == Method.LORA || method == Method.QLORA ? trainableParams() : 0);
    }

    /** Bytes of every frozen tensor as stored (quantised bases at their packed size). */
    public long frozenWeightBytes() {
        Map<NDArray, Boolean> train = new IdentityHashMap<>();
        trainable.values().forEach(p -> train.put(p, true));
        Map<NDArray, Boolean> seen = new IdentityHashMap<>();
        long bytes = 0;
        for (NDArray p : model.parameters().values()) {
            if (!p.isReleased() && !train.containsKey(p) && seen.put(p, true) == null) {
                bytes += p.size() * p.getDataType().getNumOfBytes();
            }
        }
        for (LoraKernel k : loraKernels.values()) {
            if (k.storedBase() instanceof QuantizedKernel q) {
                bytes += q.storageBytes() - (q.bias() == null ? 0 : q.bias().size() * q.bias().getDataType().getNumOfBytes());
            }
        }
        return bytes;
    }

    /** Bytes of the trainable tensors (the gradient buffers have the same size). */
    public long trainableBytes() {
        long b = 0;
        for (NDArray p : trainable.values()) {
            b += p.size() * p.getDataType().getNumOfBytes();
        }
        return b;
    }

    @Override
    public void close() {
        for (Map.Entry<String, LoraKernel> e : loraKernels.entrySet()) {
            model.linears().get(e.getKey()).setKernel(null);
            e.getValue().close();
        }
        loraKernels.clear();
        trainable.clear();
    }
}
