package dev.tunelab.prompt;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * TF-IDF vectors with the conventions of scikit-learn's TfidfVectorizer defaults: tokens are runs of two or more word
 * characters, lower-cased; tf is the raw count; idf = ln((1 + n) / (1 + df)) + 1; vectors are L2-normalised. Terms
 * unseen when fitting are ignored.
 */
public final class TfIdf {
    private static final Pattern TOKEN = Pattern.compile("(?U)\\b\\w\\w+\\b");

    private final Map<String, Integer> vocabulary = new HashMap<>();
    private double[] idf = new double[0];

    public static List<String> tokens(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = TOKEN.matcher(text.toLowerCase(Locale.ROOT));
        while (m.find()) {
            out.add(m.group());
        }
        return out;
    }

    /** Learns the vocabulary and idf weights from {@code documents}; returns their vectors. */
    public List<Map<Integer, Double>> fit(List<String> documents) {
        vocabulary.clear();
        Map<Integer, Integer> df = new HashMap<>();
        List<List<String>> tokenized = new ArrayList<>();
        for (String d : documents) {
            List<String> toks = tokens(d);
            tokenized.add(toks);
            for (String t : new java.util.HashSet<>(toks)) {
                int id = vocabulary.computeIfAbsent(t, x -> vocabulary.size());
                df.merge(id, 1, Integer::sum);
            }
        }
        idf = new double[vocabulary.size()];
        int n = documents.size();
        for (Map.Entry<Integer, Integer> e : df.entrySet()) {
            idf[e.getKey()] = Math.log((1.0 + n) / (1.0 + e.getValue())) + 1.0;
        }
        List<Map<Integer, Double>> out = new ArrayList<>();
        for (List<String> toks : tokenized) {
            out.add(vectorOf(toks));
        }
        return out;
    }

    public Map<Integer, Double> transform(String text) {
        return vectorOf(tokens(text));
    }

    public int vocabularySize() {
        return vocabulary.size();
    }

    /** Dot product of two L2-normalised sparse vectors, i.e. their cosine similarity. */
    public static double cosine(Map<Integer, Double> a, Map<Integer, Double> b) {
        Map<Integer, Double> small = a.size() <= b.size() ? a : b;
        Map<Integer, Double> large = small == a ? b : a;
        double dot = 0;
        for (Map.Entry<Integer, Double> e : small.entrySet()) {
            Double v = large.get(e.getKey());
            if (v != null) {
                dot += e.getValue() * v;
            }
        }
        return dot;
    }

    private Map<Integer, Double> vectorOf(List<String> toks) {
        Map<Integer, Double> v = new HashMap<>();
        for (String t : toks) {
            Integer id = vocabulary.get(t);
            if (id != null) {
                v.merge(id, 1.0, Double::sum);
            }
        }
        double norm = 0;
        for (Map.Entry<Integer, Double> e : v.entrySet()) {
            double w = e.getValue() * idf[e.getKey()];
            e.setValue(w);
            norm += w * w;
        }
        if (norm > 0) {
            double inv = 1.0 / Math.sqrt(norm);
            v.replaceAll((k, w) -> w * inv);
        }
        return v;
    }
}
