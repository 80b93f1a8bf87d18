package dev.tunelab.rag;

import java.util.List;
import java.util.Set;

/**
 * Ranking metrics over labelled queries, averaged over queries. {@code retrieved.get(q)} is the ranked id list for
 * query q, {@code relevant.get(q)} its set of relevant ids (binary relevance).
 */
public final class RetrievalMetrics {
    private RetrievalMetrics() {}

    /** Fraction of each query's relevant ids found in its top k. */
    public static double recallAtK(List<List<String>> retrieved, List<Set<String>> relevant, int k) {
        check(retrieved, relevant);
        double sum = 0;
        for (int q = 0; q < retrieved.size(); q++) {
            Set<String> rel = relevant.get(q);
            List<String> top = retrieved.get(q).subList(0, Math.min(k, retrieved.get(q).size()));
            long found = top.stream().distinct().filter(rel::contains).count();
            sum += rel.isEmpty() ? 0 : (double) found / rel.size();
        }
        return sum / retrieved.size();
    }

    /** Mean of 1/rank of the first relevant id within the top k (0 when none). */
    public static double mrr(List<List<String>> retrieved, List<Set<String>> relevant, int k) {
        check(retrieved, relevant);
        double sum = 0;
        for (int q = 0; q < retrieved.size(); q++) {
            List<String> r = retrieved.get(q);
            for (int i = 0; i < Math.min(k, r.size()); i++) {
                if (relevant.get(q).contains(r.get(i))) {
                    sum += 1.0 / (i + 1);
                    break;
                }
            }
        }
        return sum / retrieved.size();
    }

    /** Fraction of queries with at least one relevant id in the top k (success@k). */
    public static double hitRateAtK(List<List<String>> retrieved, List<Set<String>> relevant, int k) {
        check(retrieved, relevant);
        double hits = 0;
        for (int q = 0; q < retrieved.size(); q++) {
            List<String> top = retrieved.get(q).subList(0, Math.min(k, retrieved.get(q).size()));
            if (top.stream().anyMatch(relevant.get(q)::contains)) {
                hits++;
            }
        }
        return hits / retrieved.size();
    }

    /** nDCG@k with binary gains: DCG = Σ_{i<k} rel_i / log2(i + 2), normalised by the ideal ordering. */
    public static double ndcgAtK(List<List<String>> retrieved, List<Set<String>> relevant, int k) {
        check(retrieved, relevant);
        double sum = 0;
        for (int q = 0; q < retrieved.size(); q++) {
            List<String> r = retrieved.get(q);
            Set<String> rel = relevant.get(q);
            double dcg = 0;
            java.util.Set<String> counted = new java.util.HashSet<>();
            for (int i = 0; i < Math.min(k, r.size()); i++) {
                if (rel.contains(r.get(i)) && counted.add(r.get(i))) {
                    dcg += 1 / log2(i + 2);
                }
            }
            double ideal = 0;
            for (int i = 0; i < Math.min(k, rel.size()); i++) {
                ideal += 1 / log2(i + 2);
            }
            sum += ideal == 0 ? 0 : dcg / ideal;
        }
        return sum / retrieved.size();
    }

    private static double log2(double x) {
        return Math.log(x) / Math.log(2);
    }

    private static void check(List<List<String>> retrieved, List<Set<String>> relevant) {
        if (retrieved.size() != relevant.size()) {
            throw new IllegalArgumentException(retrieved.size() + " rankings but " + relevant.size() + " relevance sets");
        }
        if (retrieved.isEmpty()) {
            throw new IllegalArgumentException("no queries to evaluate");
        }
    }
}
