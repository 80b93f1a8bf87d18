package dev.tunelab.tune;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * LoRA hyper-parameters, named as in PEFT's LoraConfig.
 *
 * @param r             rank (PEFT {@code r})
 * @param loraAlpha     PEFT {@code lora_alpha}; scaling = alpha / r (rsLoRA: alpha / sqrt(r))
 * @param loraDropout   dropout on the LoRA branch input (PEFT {@code lora_dropout})
 * @param targetModules module names matched as a suffix ("q_proj" matches "model.layers.0.self_attn.q_proj"),
 *                      or the single entry "all-linear" (every linear except the output head)
 * @param targetRegex   when non-null, a regular expression the full module path must match (PEFT's string form of
 *                      {@code target_modules}); then {@code targetModules} is ignored
 * @param useRslora     PEFT {@code use_rslora}
 * @param seed          seed of the A initialisation
 */
public record LoraConfig(int r, double loraAlpha, double loraDropout, List<String> targetModules, String targetRegex,
                         boolean useRslora, long seed) {
    public static final String ALL_LINEAR = "all-linear";

    public LoraConfig {
        if (r <= 0) {
            throw new IllegalArgumentException("LoRA r must be > 0, got " + r);
        }
        if (!(loraAlpha > 0) || Double.isInfinite(loraAlpha)) {
            throw new IllegalArgumentException("lora_alpha must be > 0, got " + loraAlpha);
        }
        if (!(loraDropout >= 0 && loraDropout < 1)) {
            throw new IllegalArgumentException("lora_dropout must be in [0, 1), got " + loraDropout);
        }
        targetModules = targetModules == null ? List.of() : List.copyOf(targetModules);
        if (targetRegex != null) {
            try {
                Pattern.compile(targetRegex);
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("target_modules regex is invalid: " + e.getDescription());
            }
        } else if (targetModules.isEmpty()) {
            throw new IllegalArgumentException("target_modules must name at least one module");
        }
    }

    /** r = 8, alpha = 16, dropout 0.05, q_proj and v_proj (PEFT's default targets for Llama). */
    public static LoraConfig defaults() {
        return new LoraConfig(8, 16, 0.05, List.of("q_proj", "v_proj"), null, false, 42L);
    }

    /** Parses "q_proj,v_proj", "all-linear" or "regex:<pattern>" (a pattern over full module paths). */
    public static LoraConfig.Targets parseTargets(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("target modules are empty");
        }
        if (spec.startsWith("regex:")) {
            return new Targets(List.of(), spec.substring(6));
        }
        List<String> names = new ArrayList<>();
        for (String s : spec.split(",")) {
            if (!s.isBlank()) {
                names.add(s.trim());
            }
        }
        return new Targets(names, null);
    }

    public record Targets(List<String> names, String regex) {}

    public LoraConfig withR(int newR) {
        return new LoraConfig(newR, loraAlpha, loraDropout, targetModules, targetRegex, useRslora, seed);
    }

    public LoraConfig withAlpha(double a) {
        return new LoraConfig(r, a, loraDropout, targetModules, targetRegex, useRslora, seed);
    }

    public LoraConfig withDropout(double d) {
        return new LoraConfig(r, loraAlpha, d, targetModules, targetRegex, useRslora, seed);
    }

    public LoraConfig withTargets(String spec) {
        Targets t = parseTargets(spec);
        return new LoraConfig(r, loraAlpha, loraDropout, t.names(), t.regex(), useRslora, seed);
    }

    public LoraConfig withRslora(boolean on) {
        return new LoraConfig(r, loraAlpha, loraDropout, targetModules, targetRegex, on, seed);
    }

    public LoraConfig withSeed(long s) {
        return new LoraConfig(r, loraAlpha, loraDropout, targetModules, targetRegex, useRslora, s);
    }

    public double scaling() {
        return LoraKernel.scalingOf(loraAlpha, r, useRslora);
    }

    /** Does module path {@code name} get an adapter? {@code isHead} marks the output layer (never "all-linear"). */
    public boolean matches(String name, boolean isHead) {
        if (targetRegex != null) {
            return Pattern.compile(targetRegex).matcher(name).matches();
        }
        if (targetModules.size() == 1 && targetModules.get(0).equals(ALL_LINEAR)) {
            return !isHead;
        }
        for (String t : targetModules) {
            if (name.equals(t) || name.endsWith("." + t)) {
                return true;
            }
        }
        return false;
    }
}
