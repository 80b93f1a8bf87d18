package dev.tunelab.pretrain;

import dev.tunelab.model.TextTokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Documents → one token stream (each document preceded by the end-of-text token, GPT-2 style) → consecutive
 * non-overlapping windows of {@code length} tokens; the incomplete tail is dropped. Every position of a window is
 * predicted from the ones before it inside the window.
 */
public final class TokenWindows {
    private TokenWindows() {}

    public static List<int[]> of(List<String> documents, TextTokenizer tokenizer, int length) {
        int eot = tokenizer.eosId();
        if (eot < 0) {
            throw new IllegalArgumentException("the tokenizer has no end-of-text token to separate documents");
        }
        List<int[]> windows = new ArrayList<>();
        int[] buffer = new int[length];
        int filled = 0;
        for (String doc : documents) {
            int[] ids = tokenizer.encode(doc, false);
            int[] withSeparator = new int[ids.length + 1];
            withSeparator[0] = eot;
            System.arraycopy(ids, 0, withSeparator, 1, ids.length);
            int pos = 0;
            while (pos < withSeparator.length) {
                int n = Math.min(length - filled, withSeparator.length - pos);
                System.arraycopy(withSeparator, pos, buffer, filled, n);
                filled += n;
                pos += n;
                if (filled == length) {
                    windows.add(Arrays.copyOf(buffer, length));
                    filled = 0;
                }
            }
        }
        return windows;
    }

    public static long tokens(List<int[]> windows) {
        return windows.stream().mapToLong(w -> w.length).sum();
    }
}
