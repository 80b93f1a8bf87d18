package dev.tunelab.tune;

import dev.tunelab.model.TextTokenizer;

import java.util.Arrays;

/**
 * One training example: either a (prompt, completion) text pair, where the loss covers only the completion's tokens
 * (prompt positions are masked like Hugging Face's label -100), or pre-tokenised ids with an explicit loss mask.
 */
public record TrainingExample(String prompt, String completion, int[] ids, boolean[] lossMask) {
    public TrainingExample {
        boolean text = prompt != null && completion != null;
        boolean tokens = ids != null && lossMask != null;
        if (text == tokens) {
            throw new IllegalArgumentException("a training example is either (prompt, completion) or (ids, lossMask)");
        }
        if (tokens && ids.length != lossMask.length) {
            throw new IllegalArgumentException("ids and lossMask lengths differ: " + ids.length + " vs " + lossMask.length);
        }
    }

    public static TrainingExample of(String prompt, String completion) {
        return new TrainingExample(prompt, completion, null, null);
    }

    public static TrainingExample ofTokens(int[] ids, boolean[] lossMask) {
        return new TrainingExample(null, null, ids.clone(), lossMask.clone());
    }

    /** Token ids and loss mask, truncated to {@code maxLength} (prompt tokens are dropped first, from the left). */
    public Tokens tokenize(TextTokenizer tokenizer, int maxLength, boolean appendEos) {
        if (ids != null) {
            int n = Math.min(ids.length, maxLength);
            return new Tokens(Arrays.copyOf(ids, n), Arrays.copyOf(lossMask, n));
        }
        int[] p = tokenizer.encode(prompt, true);
        int[] c = tokenizer.encode(completion, false);
        if (appendEos && tokenizer.eosId() >= 0) {
            c = Arrays.copyOf(c, c.length + 1);
            c[c.length - 1] = tokenizer.eosId();
        }
        if (c.length >= maxLength) {
            c = Arrays.copyOf(c, Math.max(1, maxLength - Math.min(1, p.length)));
        }
        int keepPrompt = Math.min(p.length, maxLength - c.length);
        int[] all = new int[keepPrompt + c.length];
        boolean[] mask = new boolean[all.length];
        System.arraycopy(p, p.length - keepPrompt, all, 0, keepPrompt);
        System.arraycopy(c, 0, all, keepPrompt, c.length);
        Arrays.fill(mask, keepPrompt, all.length, true);
        return new Tokens(all, mask);
    }

    /** Token ids and which of them are predicted in the loss. */
    public record Tokens(int[] ids, boolean[] lossMask) {
        public int lossTokens() {
            int n = 0;
            for (int i = 1; i < lossMask.length; i++) {
                n += lossMask[i] ? 1 : 0;
            }
            return n;
        }
    }
}
