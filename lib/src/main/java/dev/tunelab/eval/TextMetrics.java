package dev.tunelab.eval;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Exact match and token-level F1 as in SQuAD v1.1's evaluation: both texts are normalised (lower case, ASCII
 * punctuation removed, the articles a/an/the removed, whitespace collapsed) before comparing.
 */
public final class TextMetrics {
    private static final Pattern ARTICLES = Pattern.compile("\\b(a|an|the)\\b", Pattern.UNICODE_CHARACTER_CLASS);
    private static final String PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

    private TextMetrics() {}

    public static String normalizeAnswer(String s) {
        String lower = s.toLowerCase(Locale.ROOT);
        StringBuilder sb = new StringBuilder(lower.length());
        for (int i = 0; i < lower.length(); i++) {
            char c = lower.charAt(i);
            if (PUNCTUATION.indexOf(c) < 0) {
                sb.append(c);
            }
        }
        String noArticles = ARTICLES.matcher(sb).replaceAll(" ");
        return String.join(" ", whitespaceTokens(noArticles));
    }

    /** Splits on runs of whitespace (Python's str.split() with no argument). */
    static List<String> whitespaceTokens(String s) {
        String t = s.strip();
        return t.isEmpty() ? List.of() : List.of(t.split("[\\s\\u001c-\\u001f\\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]+"));
    }

    public static boolean exactMatch(String prediction, String reference) {
        return normalizeAnswer(prediction).equals(normalizeAnswer(reference));
    }

    /** Harmonic mean of token precision and recall over the normalised bags of tokens; 0 when no token is shared. */
    public static double tokenF1(String prediction, String reference) {
        List<String> p = whitespaceTokens(normalizeAnswer(prediction));
        List<String> r = whitespaceTokens(normalizeAnswer(reference));
        if (p.isEmpty() || r.isEmpty()) {
            return p.equals(r) ? 1.0 : 0.0;
        }
        Map<String, Integer> counts = new HashMap<>();
        for (String t : r) {
            counts.merge(t, 1, Integer::sum);
        }
        int common = 0;
        for (String t : p) {
            Integer c = counts.get(t);
            if (c != null && c > 0) {
                common++;
                counts.put(t, c - 1);
            }
        }
        if (common == 0) {
            return 0.0;
        }
        double precision = common / (double) p.size();
        double recall = common / (double) r.size();
        return 2 * precision * recall / (precision + recall);
    }

    /** Perplexity exp(-mean log p) from natural-log probabilities of each predicted token. */
    public static double perplexity(double[] tokenLogProbs) {
        if (tokenLogProbs.length == 0) {
            throw new IllegalArgumentException("perplexity of zero tokens is undefined");
        }
        double sum = 0;
        for (double lp : tokenLogProbs) {
            if (Double.isNaN(lp) || lp > 1e-9) {
                throw new IllegalArgumentException("a log-probability must be ≤ 0 and not NaN, got " + lp);
            }
            sum += lp;
        }
        return Math.exp(-sum / tokenLogProbs.length);
    }
}
