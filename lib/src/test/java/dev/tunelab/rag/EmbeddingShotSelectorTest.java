package dev.tunelab.rag;

import dev.tunelab.data.Example;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class EmbeddingShotSelectorTest {
    static Example ex(String id, String text, String label) {
        return new Example(id, text, label, Map.of());
    }

    @Test
    void picksTheMostSimilarLabelledExamplesMostSimilarLast() {
        List<Example> pool = List.of(
                ex("1", "the food was cold and the waiter rude", "0"),
                ex("2", "great battery life on this phone", "1"),
                ex("3", "the waiter was rude and the food cold again", "0"),
                ex("4", "phone battery died after one day", "0"),
                ex("5", "lovely food, friendly waiter", "1"));
        HashEmbedder emb = new HashEmbedder();
        EmbeddingShotSelector s = new EmbeddingShotSelector(emb);
        s.fit(pool);
        Example q = ex("q", "rude waiter, cold food", "?");
        List<Example> shots = s.select(q, 3);
        // Reference: brute-force cosine ranking of the pool against the query.
        float[] qv = emb.embed(q.input());
        List<Example> byCos = pool.stream().sorted((a, b) -> Double.compare(cos(emb.embed(b.input()), qv),
                cos(emb.embed(a.input()), qv))).toList();
        assertEquals(List.of(byCos.get(2), byCos.get(1), byCos.get(0)), shots);
        assertTrue(List.of("1", "3").contains(shots.get(2).id()));
        // The query itself is never its own demonstration.
        assertFalse(s.select(pool.get(0), 4).contains(pool.get(0)));
        assertEquals(4, s.select(pool.get(0), 4).size());
    }

    static double cos(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}
