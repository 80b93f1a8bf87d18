package dev.tunelab.eval;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * ROUGE-N and ROUGE-L (Lin 2004) F-measures with β = 1. Texts are lower-cased and split on anything that is not an
 * ASCII letter or digit (the tokenisation of Google's rouge-score, without stemming). Corpus scores are the mean of
 * per-example scores.
 */
public final class Rouge {
    /** Precision, recall and F-measure of one comparison. */
    public record Score(double precision, double recall, double f) {}

    private Rouge() {}

    public static List<String> tokenize(String text) {
        String s = text.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", " ").strip();
        return s.isEmpty() ? List.of() : List.of(s.split(" "));
    }

    public static Score rougeN(String candidate, String reference, int n) {
        Map<List<String>, Integer> cand = ngrams(tokenize(candidate), n);
        Map<List<String>, Integer> ref = ngrams(tokenize(reference), n);
        int overlap = 0;
        for (Map.Entry<List<String>, Integer> e : cand.entrySet()) {
            overlap += Math.min(e.getValue(), ref.getOrDefault(e.getKey(), 0));
        }
        int candTotal = cand.values().stream().mapToInt(Integer::intValue).sum();
        int refTotal = ref.values().stream().mapToInt(Integer::intValue).sum();
        return fMeasure(overlap, candTotal, refTotal);
    }

    public static Score rougeL(String candidate, String reference) {
        List<String> c = tokenize(candidate);
        List<String> r = tokenize(reference);
        return fMeasure(lcs(c, r), c.size(), r.size());
    }

    /** Mean per-example F-measure of ROUGE-N. */
    public static double corpusRougeN(List<String> candidates, List<String> references, int n) {
        check(candidates, references);
        double sum = 0;
        for (int i = 0; i < candidates.size(); i++) {
            sum += rougeN(candidates.get(i), references.get(i), n).f();
        }
        return sum / candidates.size();
    }

    /** Mean per-example F-measure of ROUGE-L. */
    public static double corpusRougeL(List<String> candidates, List<String> references) {
        check(candidates, references);
        double sum = 0;
        for (int i = 0; i < candidates.size(); i++) {
            sum += rougeL(candidates.get(i), references.get(i)).f();
        }
        return sum / candidates.size();
    }

    static int lcs(List<String> a, List<String> b) {
        int[] prev = new int[b.size() + 1];
        int[] cur = new int[b.size() + 1];
        for (int i = 1; i <= a.size(); i++) {
            for (int j = 1; j <= b.size(); j++) {
                cur[j] = a.get(i - 1).equals(b.get(j - 1)) ? prev[j - 1] + 1 : Math.max(prev[j], cur[j - 1]);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.size()];
    }

    private static Score fMeasure(int overlap, int candTotal, int refTotal) {
        double p = candTotal == 0 ? 0 : overlap / (double) candTotal;
        double r = refTotal == 0 ? 0 : overlap / (double) refTotal;
        double f = p + r == 0 ? 0 : 2 * p * r / (p + r);
        return new Score(p, r, f);
    }

    private static Map<List<String>, Integer> ngrams(List<String> tokens, int n) {
        Map<List<String>, Integer> counts = new HashMap<>();
        for (int i = 0; i + n <= tokens.size(); i++) {
            counts.merge(new ArrayList<>(tokens.subList(i, i + n)), 1, Integer::sum);
        }
        return counts;
    }

    private static void check(List<String> candidates, List<String> references) {
        if (candidates.size() != references.size() || candidates.isEmpty()) {
            throw new IllegalArgumentException(candidates.size() + " candidates vs " + references.size()
                    + " references (need the same, non-zero number)");
        }
    }
}
