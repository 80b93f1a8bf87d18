package dev.tunelab.tune;

import java.util.Locale;

/** Fine-tuning methods. */
public enum Method {
    /** Every parameter trains. */
    FULL,
    /** Only the last N blocks and/or the head train (feature extraction when N = 0). */
    FREEZE,
    /** Low-rank adapters on a frozen base. */
    LORA,
    /** LoRA on a 4- or 8-bit quantised frozen base. */
    QLORA;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Method parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown fine-tuning method '" + s + "' (full|freeze|lora|qlora)");
        }
    }
}
