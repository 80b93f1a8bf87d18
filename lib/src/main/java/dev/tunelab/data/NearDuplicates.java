package dev.tunelab.data;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Near-duplicate detection: texts become sets of character 5-gram shingles over a normalised form (NFKC, lower case,
 * punctuation dropped, whitespace collapsed); MinHash signatures with banded LSH propose candidate pairs, and each
 * candidate is confirmed with the EXACT Jaccard similarity of the shingle sets, so nothing is removed on an estimate.
 * Rows are visited in order; a row is a near duplicate when it is within the threshold of an earlier kept row.
 */
public final class NearDuplicates {
    public static final int SHINGLE = 5;
    private static final int BANDS = 32;
    private static final int ROWS_PER_BAND = 4;
    private static final int HASHES = BANDS * ROWS_PER_BAND;

    /** @param kept index of the earlier row this one duplicates */
    public record Match(int index, int kept, double jaccard) {}

    private NearDuplicates() {}

    /** Lower case, NFKC, letters/digits only, single spaces: the form shingles and leakage checks compare. */
    public static String normalize(String text) {
        String s = Normalizer.normalize(text, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
        StringBuilder sb = new StringBuilder(s.length());
        boolean space = true;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (Character.isLetterOrDigit(cp)) {
                sb.appendCodePoint(cp);
                space = false;
            } else if (!space) {
                sb.append(' ');
                space = true;
            }
        }
        return sb.toString().strip();
    }

    public static Set<String> shingles(String text) {
        String s = normalize(text);
        Set<String> out = new HashSet<>();
        if (s.length() <= SHINGLE) {
            if (!s.isEmpty()) {
                out.add(s);
            }
            return out;
        }
        for (int i = 0; i + SHINGLE <= s.length(); i++) {
            out.add(s.substring(i, i + SHINGLE));
        }
        return out;
    }

    public static double jaccard(Set<String> a, Set<String> b) {
        if (a.isEmpty() && b.isEmpty()) {
            return 1.0;
        }
        Set<String> small = a.size() <= b.size() ? a : b;
        Set<String> large = small == a ? b : a;
        int inter = 0;
        for (String s : small) {
            if (large.contains(s)) {
                inter++;
            }
        }
        return inter / (double) (a.size() + b.size() - inter);
    }

    /** The rows (after the first of each group) whose Jaccard similarity with an earlier kept row is ≥ threshold. */
    public static List<Match> find(List<String> texts, double threshold) {
        if (threshold <= 0 || threshold > 1) {
            throw new IllegalArgumentException("threshold must be in (0, 1], got " + threshold);
        }
        List<Set<String>> sets = new ArrayList<>(texts.size());
        for (String t : texts) {
            sets.add(shingles(t));
        }
        List<Map<Long, List<Integer>>> buckets = new ArrayList<>();
        for (int b = 0; b < BANDS; b++) {
            buckets.add(new HashMap<>());
        }
        List<Match> matches = new ArrayList<>();
        for (int i = 0; i < sets.size(); i++) {
            long[] sig = signature(sets.get(i));
            Set<Integer> candidates = new HashSet<>();
            long[] keys = new long[BANDS];
            for (int b = 0; b < BANDS; b++) {
                long key = b;
                for (int r = 0; r < ROWS_PER_BAND; r++) {
                    key = mix(key * 31 + sig[b * ROWS_PER_BAND + r]);
                }
                keys[b] = key;
                List<Integer> bucket = buckets.get(b).get(key);
                if (bucket != null) {
                    candidates.addAll(bucket);
                }
            }
            Match best = null;
            for (int j : candidates) {
                double jac = jaccard(sets.get(i), sets.get(j));
                if (jac >= threshold && (best == null || jac > best.jaccard() || jac == best.jaccard() && j < best.kept())) {
                    best = new Match(i, j, jac);
                }
            }
            if (best != null) {
                matches.add(best);
                continue; // removed rows are not indexed: later rows match the kept one
            }
            for (int b = 0; b < BANDS; b++) {
                buckets.get(b).computeIfAbsent(keys[b], k -> new ArrayList<>()).add(i);
            }
        }
        return matches;
    }

    private static long[] signature(Set<String> shingles) {
        long[] sig = new long[HASHES];
        java.util.Arrays.fill(sig, Long.MAX_VALUE);
        for (String s : shingles) {
            long h = s.hashCode() * 0x9E3779B97F4A7C15L + s.length();
            for (int k = 0; k < HASHES; k++) {
                long v = mix(h ^ (k * 0xD1B54A32D192ED03L + 0x2545F4914F6CDD1DL));
                if (v < sig[k]) {
                    sig[k] = v;
                }
            }
        }
        return sig;
    }

    /** SplitMix64 finaliser: a good 64-bit avalanche for hashing. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
