package dev.tunelab.rag;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Okapi BM25 over an inverted index:
 * score(q, d) = Σ_{t ∈ q} idf(t) · tf(t,d)·(k1+1) / (tf(t,d) + k1·(1 − b + b·|d|/avgdl)),
 * idf(t) = ln(1 + (N − n_t + 0.5)/(n_t + 0.5)) (always positive). A query term repeated counts once per occurrence.
 */
public final class Bm25Index {
    public static final double DEFAULT_K1 = 1.2;
    public static final double DEFAULT_B = 0.75;

    private final double k1;
    private final double b;
    private final TextTerms terms;
    private final List<String> ids = new ArrayList<>();
    private final List<Integer> lengths = new ArrayList<>();
    private long totalLength;
    /** term → (doc row → term frequency). */
    private final Map<String, Map<Integer, Integer>> postings = new HashMap<>();

    public Bm25Index(TextTerms terms, double k1, double b) {
        if (k1 < 0 || b < 0 || b > 1) {
            throw new IllegalArgumentException("BM25 needs k1 >= 0 and 0 <= b <= 1, got k1=" + k1 + " b=" + b);
        }
        this.terms = terms;
        this.k1 = k1;
        this.b = b;
    }

    /** k1 = 1.2, b = 0.75, lowercase terms, no stopwords. */
    public static Bm25Index create() {
        return new Bm25Index(TextTerms.plain(), DEFAULT_K1, DEFAULT_B);
    }

    public void add(String id, String text) {
        int row = ids.size();
        ids.add(id);
        List<String> t = terms.terms(text);
        lengths.add(t.size());
        totalLength += t.size();
        for (String term : t) {
            postings.computeIfAbsent(term, k -> new HashMap<>()).merge(row, 1, Integer::sum);
        }
    }

    public void addAll(List<Document> docs) {
        for (Document d : docs) {
            add(d.id(), d.text());
        }
    }

    public int size() {
        return ids.size();
    }

    public double idf(String term) {
        Map<Integer, Integer> p = postings.get(term);
        int n = p == null ? 0 : p.size();
        return Math.log(1 + (ids.size() - n + 0.5) / (n + 0.5));
    }

    /** BM25 score of every indexed document for {@code query}, in insertion order. */
    public double[] scores(String query) {
        double[] s = new double[ids.size()];
        if (ids.isEmpty()) {
            return s;
        }
        double avgdl = (double) totalLength / ids.size();
        for (String term : terms.terms(query)) {
            Map<Integer, Integer> p = postings.get(term);
            if (p == null) {
                continue;
            }
            double idf = idf(term);
            for (Map.Entry<Integer, Integer> e : p.entrySet()) {
                int tf = e.getValue();
                double norm = k1 * (1 - b + b * lengths.get(e.getKey()) / avgdl);
                s[e.getKey()] += idf * tf * (k1 + 1) / (tf + norm);
            }
        }
        return s;
    }

    /** The k best-scoring documents with a positive score, best first (ties: earlier document first). */
    public List<Scored> search(String query, int k) {
        double[] s = scores(query);
        TopK top = new TopK(k);
        for (int i = 0; i < s.length; i++) {
            if (s[i] > 0) {
                top.offer((float) s[i], i);
            }
        }
        int[] rows = new int[top.size()];
        float[] f = new float[top.size()];
        int n = top.drainSorted(rows, f);
        List<Scored> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(new Scored(ids.get(rows[i]), s[rows[i]]));
        }
        return out;
    }

    public String id(int row) {
        return ids.get(row);
    }
}
