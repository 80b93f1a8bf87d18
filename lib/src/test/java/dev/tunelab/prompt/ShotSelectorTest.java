package dev.tunelab.prompt;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tunelab.data.Example;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ShotSelectorTest {
    private static List<Example> pool(int perLabel, String... labels) {
        List<Example> out = new ArrayList<>();
        for (String l : labels) {
            for (int i = 0; i < perLabel; i++) {
                out.add(new Example(l + i, "text " + l + " " + i, l, Map.of()));
            }
        }
        return out;
    }

    private static Map<String, Integer> counts(List<Example> demos) {
        Map<String, Integer> c = new HashMap<>();
        demos.forEach(d -> c.merge(d.target(), 1, Integer::sum));
        return c;
    }

    @Test
    void randomIsSeededDistinctAndNeverTheQuery() {
        List<Example> pool = pool(10, "a", "b");
        RandomShotSelector s = new RandomShotSelector(7);
        s.fit(pool);
        Example query = pool.get(3);
        List<Example> first = s.select(query, 8);
        assertEquals(8, first.size());
        assertEquals(8, new HashSet<>(first).size());
        assertFalse(first.contains(query));
        assertEquals(first, s.select(query, 8));
        RandomShotSelector other = new RandomShotSelector(8);
        other.fit(pool);
        assertNotEquals(first, other.select(query, 8));
        assertEquals(19, s.select(query, 50).size());
    }

    @Test
    void randomIsRoughlyUniform() {
        List<Example> pool = pool(5, "a", "b");
        RandomShotSelector s = new RandomShotSelector(1);
        s.fit(pool);
        Map<String, Integer> hits = new HashMap<>();
        for (int q = 0; q < 2000; q++) {
            for (Example e : s.select(new Example("q" + q, "x", "a", Map.of()), 3)) {
                hits.merge(e.id(), 1, Integer::sum);
            }
        }
        // each of 10 examples is expected 2000 * 3 / 10 = 600 times; sd ~ 20
        for (Example e : pool) {
            int h = hits.getOrDefault(e.id(), 0);
            assertTrue(Math.abs(h - 600) < 100, e.id() + " drawn " + h + " times");
        }
    }

    @Test
    void balancedSplitsEvenlyAndGivesTheRemainderToRandomLabels() {
        BalancedShotSelector s = new BalancedShotSelector(3);
        s.fit(pool(6, "x", "y", "z"));
        Map<String, Integer> c6 = counts(s.select(new Example("q", "t", "x", Map.of()), 6));
        assertEquals(Map.of("x", 2, "y", 2, "z", 2), c6);
        Map<String, Integer> remainderHolders = new HashMap<>();
        for (int q = 0; q < 300; q++) {
            List<Example> d = s.select(new Example("q" + q, "t", "x", Map.of()), 7);
            Map<String, Integer> c = counts(d);
            assertEquals(7, d.size());
            assertEquals(List.of(2, 2, 3), c.values().stream().sorted().toList());
            c.forEach((label, n) -> {
                if (n == 3) {
                    remainderHolders.merge(label, 1, Integer::sum);
                }
            });
        }
        // the extra demonstration is spread over all three labels (about 100 each)
        assertEquals(Set.of("x", "y", "z"), remainderHolders.keySet());
        remainderHolders.values().forEach(n -> assertTrue(n > 60, "remainder counts " + remainderHolders));
    }

    @Test
    void balancedOnRealSentimentDataAndShortLabels() throws Exception {
        List<Example> yelp = TestData.yelp(200);
        BalancedShotSelector s = new BalancedShotSelector(11);
        s.fit(yelp);
        List<Example> d = s.select(yelp.get(0), 8);
        assertEquals(Map.of("0", 4, "1", 4), counts(d));
        assertFalse(d.contains(yelp.get(0)));
        // interleaved: no two neighbours share a label
        for (int i = 1; i < d.size(); i++) {
            assertNotEquals(d.get(i - 1).target(), d.get(i).target());
        }
        // a label with only one example gives just that one
        BalancedShotSelector small = new BalancedShotSelector(1);
        List<Example> uneven = new ArrayList<>(pool(5, "a"));
        uneven.add(new Example("b0", "only b", "b", Map.of()));
        small.fit(uneven);
        assertEquals(Map.of("a", 2, "b", 1), counts(small.select(new Example("q", "t", "a", Map.of()), 4)));
    }

    @Test
    void similarityMatchesScikitLearnTfidfCosine() throws Exception {
        List<Example> all = TestData.yelp(260);
        List<Example> pool = all.subList(0, 250);
        List<Example> queries = all.subList(250, 260);
        SimilarityShotSelector s = new SimilarityShotSelector();
        s.fit(pool);

        Map<String, Object> payload = new HashMap<>();
        payload.put("pool", pool.stream().map(Example::input).toList());
        payload.put("queries", queries.stream().map(Example::input).toList());
        String script = String.join("\n",
                "import sys, json, numpy as np",
                "from sklearn.feature_extraction.text import TfidfVectorizer",
                "d = json.load(sys.stdin)",
                "v = TfidfVectorizer().fit(d['pool'])",
                "X = v.transform(d['pool']); Q = v.transform(d['queries'])",
                "S = (Q @ X.T).toarray()",
                "print(json.dumps({'sims': S.tolist(), 'top': [np.argsort(-r, kind='stable')[:4].tolist() for r in S]}))");
        ObjectMapper json = new ObjectMapper();
        Map<?, ?> ref = json.readValue(TestData.python(script, json.writeValueAsString(payload)), Map.class);
        List<?> sims = (List<?>) ref.get("sims");
        List<?> top = (List<?>) ref.get("top");
        for (int q = 0; q < queries.size(); q++) {
            double[] ours = s.similarities(queries.get(q));
            List<?> theirs = (List<?>) sims.get(q);
            for (int i = 0; i < ours.length; i++) {
                assertEquals(((Number) theirs.get(i)).doubleValue(), ours[i], 1e-9, "query " + q + " pool " + i);
            }
            List<Example> picked = s.select(queries.get(q), 4);
            List<String> expected = new ArrayList<>();
            for (Object idx : (List<?>) top.get(q)) {
                expected.add(0, pool.get(((Number) idx).intValue()).id());  // most similar placed last
            }
            assertEquals(expected, picked.stream().map(Example::id).toList(), "query " + q);
        }
    }
}
