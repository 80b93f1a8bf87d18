package dev.tunelab.eval;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Corpus BLEU (Papineni et al. 2002) as sacreBLEU computes it: the "13a" tokenisation of mteval-v13a, clipped n-gram
 * matches up to 4-grams summed over the corpus, geometric mean of the precisions, brevity penalty against the
 * closest reference length (shorter on ties). Scores are 0..100.
 */
public final class Bleu {
    public static final int MAX_ORDER = 4;
    private static final Pattern PUNCT = Pattern.compile("([\\{-\\~\\[-\\` -\\&\\(-\\+\\:-\\@\\/])");
    private static final Pattern PERIOD_COMMA_AFTER = Pattern.compile("([^0-9])([\\.,])");
    private static final Pattern PERIOD_COMMA_BEFORE = Pattern.compile("([\\.,])([^0-9])");
    private static final Pattern DIGIT_DASH = Pattern.compile("([0-9])(-)");

    /** NONE: an order with no match makes BLEU 0. EXP: sacreBLEU's "exp" (mteval's) smoothing of such orders. */
    public enum Smoothing { NONE, EXP }

    /**
     * @param precisions per order, in percent
     * @param bp         brevity penalty
     */
    public record Score(double score, double[] precisions, int[] correct, int[] total, double bp, int hypLength,
                        int refLength) {
        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT, "BLEU = %.2f %.1f/%.1f/%.1f/%.1f (BP = %.3f ratio = %.3f "
                            + "hyp_len = %d ref_len = %d)", score, precisions[0], precisions[1], precisions[2],
                    precisions[3], bp, hypLength / (double) refLength, hypLength, refLength);
        }
    }

    private Bleu() {}

    /** mteval-v13a tokenisation as in sacreBLEU's Tokenizer13a. */
    public static List<String> tokenize13a(String text) {
        String line = text.replace("<skipped>", "").replace("-\n", "").replace("\n", " ");
        if (line.indexOf('&') >= 0) {
            line = line.replace("&quot;", "\"").replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">");
        }
        line = " " + line + " ";
        line = PUNCT.matcher(line).replaceAll(" $1 ");
        line = PERIOD_COMMA_AFTER.matcher(line).replaceAll("$1 $2 ");
        line = PERIOD_COMMA_BEFORE.matcher(line).replaceAll(" $1 $2");
        line = DIGIT_DASH.matcher(line).replaceAll("$1 $2 ");
        return TextMetrics.whitespaceTokens(line);
    }

    /** One reference per hypothesis. */
    public static Score corpus(List<String> hypotheses, List<String> references) {
        List<List<String>> refs = new ArrayList<>();
        for (String r : references) {
            refs.add(List.of(r));
        }
        return corpus(hypotheses, refs, Smoothing.EXP);
    }

    /** {@code references.get(i)} holds every reference of hypothesis i. */
    public static Score corpus(List<String> hypotheses, List<List<String>> references, Smoothing smoothing) {
        if (hypotheses.size() != references.size()) {
            throw new IllegalArgumentException(hypotheses.size() + " hypotheses but " + references.size()
                    + " reference sets");
        }
        int[] correct = new int[MAX_ORDER];
        int[] total = new int[MAX_ORDER];
        int hypLen = 0;
        int refLen = 0;
        for (int s = 0; s < hypotheses.size(); s++) {
            List<String> hyp = tokenize13a(hypotheses.get(s));
            Map<List<String>, Integer> maxRef = new HashMap<>();
            int closest = -1;
            for (String r : references.get(s)) {
                List<String> ref = tokenize13a(r);
                int diff = Math.abs(ref.size() - hyp.size());
                if (closest < 0 || diff < Math.abs(closest - hyp.size())
                        || diff == Math.abs(closest - hyp.size()) && ref.size() < closest) {
                    closest = ref.size();
                }
                ngrams(ref).forEach((g, c) -> maxRef.merge(g, c, Math::max));
            }
            if (closest < 0) {
                throw new IllegalArgumentException("hypothesis " + s + " has no reference");
            }
            hypLen += hyp.size();
            refLen += closest;
            for (Map.Entry<List<String>, Integer> e : ngrams(hyp).entrySet()) {
                int n = e.getKey().size();
                correct[n - 1] += Math.min(e.getValue(), maxRef.getOrDefault(e.getKey(), 0));
            }
            for (int n = 1; n <= MAX_ORDER; n++) {
                total[n - 1] += Math.max(0, hyp.size() - n + 1);
            }
        }
        return score(correct, total, hypLen, refLen, smoothing);
    }

    static Score score(int[] correct, int[] total, int hypLen, int refLen, Smoothing smoothing) {
        double[] precisions = new double[MAX_ORDER];
        double bp = hypLen >= refLen ? 1.0 : hypLen > 0 ? Math.exp(1.0 - refLen / (double) hypLen) : 0.0;
        boolean anyMatch = false;
        for (int c : correct) {
            anyMatch |= c > 0;
        }
        if (!anyMatch) {
            return new Score(0.0, precisions, correct, total, bp, hypLen, refLen);
        }
        double smooth = 1.0;
        double logSum = 0;
        for (int n = 0; n < MAX_ORDER; n++) {
            if (total[n] == 0) {
                break; // as sacreBLEU: later orders keep precision 0
            }
            if (correct[n] == 0) {
                if (smoothing == Smoothing.EXP) {
                    smooth *= 2;
                    precisions[n] = 100.0 / (smooth * total[n]);
                }
            } else {
                precisions[n] = 100.0 * correct[n] / total[n];
            }
        }
        for (double p : precisions) {
            if (p == 0) {
                return new Score(0.0, precisions, correct, total, bp, hypLen, refLen);
            }
            logSum += Math.log(p);
        }
        return new Score(bp * Math.exp(logSum / MAX_ORDER), precisions, correct, total, bp, hypLen, refLen);
    }

    private static Map<List<String>, Integer> ngrams(List<String> tokens) {
        Map<List<String>, Integer> counts = new HashMap<>();
        for (int n = 1; n <= MAX_ORDER; n++) {
            for (int i = 0; i + n <= tokens.size(); i++) {
                counts.merge(tokens.subList(i, i + n), 1, Integer::sum);
            }
        }
        return counts;
    }
}
