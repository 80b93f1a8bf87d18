package dev.tunelab.rag;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

class RetrievalMetricsTest {
    /**
     * Hand-computed. Query 1: relevant {a, c}, ranking [b, a, c] → recall@2 = 1/2, RR = 1/2,
     * nDCG@3 = (1/log2 3 + 1/log2 4) / (1 + 1/log2 3) = (0.630930 + 0.5) / 1.630930 = 0.693426.
     * Query 2: relevant {x}, ranking [x, y] → recall@2 = 1, RR = 1, nDCG@3 = 1.
     * Query 3: relevant {z}, ranking [y] → 0, 0, 0.
     */
    @Test
    void handComputedExample() {
        List<List<String>> r = List.of(List.of("b", "a", "c"), List.of("x", "y"), List.of("y"));
        List<Set<String>> rel = List.of(Set.of("a", "c"), Set.of("x"), Set.of("z"));
        assertEquals((0.5 + 1 + 0) / 3, RetrievalMetrics.recallAtK(r, rel, 2), 1e-12);
        assertEquals((1.0 + 1 + 0) / 3, RetrievalMetrics.recallAtK(r, rel, 3), 1e-12);
        assertEquals((0.5 + 1 + 0) / 3, RetrievalMetrics.mrr(r, rel, 10), 1e-12);
        assertEquals((1.0 + 0 + 0) / 3, RetrievalMetrics.mrr(r, rel, 1), 1e-12);
        assertEquals((0.693426 + 1 + 0) / 3, RetrievalMetrics.ndcgAtK(r, rel, 3), 1e-6);
        assertEquals((1.0 + 1 + 0) / 3, RetrievalMetrics.hitRateAtK(r, rel, 3), 1e-12);
        assertEquals((0.0 + 1 + 0) / 3, RetrievalMetrics.hitRateAtK(r, rel, 1), 1e-12);
    }

    @Test
    void matchesAnIndependentPythonComputationOnRandomRankings(@TempDir Path dir) throws Exception {
        Random rnd = new Random(7);
        List<List<String>> r = new ArrayList<>();
        List<Set<String>> rel = new ArrayList<>();
        StringBuilder py = new StringBuilder("R = [], []\n");
        for (int q = 0; q < 200; q++) {
            List<String> ranking = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                ranking.add("d" + rnd.nextInt(40));
            }
            Set<String> relevant = new HashSet<>();
            for (int i = 0, n = 1 + rnd.nextInt(4); i < n; i++) {
                relevant.add("d" + rnd.nextInt(40));
            }
            List<String> distinct = ranking.stream().distinct().toList();
            r.add(distinct);
            rel.add(relevant);
            py.append("R[0].append(").append(pyList(distinct)).append(")\nR[1].append(set(")
                    .append(pyList(new ArrayList<>(relevant))).append("))\n");
        }
        py.append(String.join("\n",
                "import math",
                "def rec(k): return sum(len([d for d in r[:k] if d in s]) / len(s) for r, s in zip(*R)) / len(R[0])",
                "def mrr(k):",
                "    t = 0",
                "    for r, s in zip(*R):",
                "        hits = [i for i, d in enumerate(r[:k]) if d in s]",
                "        t += 1 / (hits[0] + 1) if hits else 0",
                "    return t / len(R[0])",
                "def ndcg(k):",
                "    t = 0",
                "    for r, s in zip(*R):",
                "        dcg = sum(1 / math.log2(i + 2) for i, d in enumerate(r[:k]) if d in s)",
                "        idcg = sum(1 / math.log2(i + 2) for i in range(min(k, len(s))))",
                "        t += dcg / idcg",
                "    return t / len(R[0])",
                "print(rec(5), rec(10), mrr(10), ndcg(5), ndcg(10))"));
        String[] ref = Py.run(dir, py.toString()).split(" ");
        assertEquals(Double.parseDouble(ref[0]), RetrievalMetrics.recallAtK(r, rel, 5), 1e-12);
        assertEquals(Double.parseDouble(ref[1]), RetrievalMetrics.recallAtK(r, rel, 10), 1e-12);
        assertEquals(Double.parseDouble(ref[2]), RetrievalMetrics.mrr(r, rel, 10), 1e-12);
        assertEquals(Double.parseDouble(ref[3]), RetrievalMetrics.ndcgAtK(r, rel, 5), 1e-12);
        assertEquals(Double.parseDouble(ref[4]), RetrievalMetrics.ndcgAtK(r, rel, 10), 1e-12);
    }

    private static String pyList(List<String> xs) {
        return "[" + String.join(", ", xs.stream().map(x -> "'" + x + "'").toList()) + "]";
    }
}
