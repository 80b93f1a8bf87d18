package dev.tunelab.rag;

import dev.tunelab.eval.ProgressListener;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The default pipeline's scores recomputed by hand from its parts (HashEmbedder vectors, an independent BM25). */
class RetrieverTest {
    static final class Counting implements Embedder {
        final HashEmbedder inner = new HashEmbedder();
        final List<String> seen = new ArrayList<>();

        public int dimension() {
            return inner.dimension();
        }

        public String name() {
            return "counting";
        }

        public float[][] embed(List<String> texts) {
            seen.addAll(texts);
            return inner.embed(texts);
        }
    }

    static Document doc(String id, String title, String text) {
        return new Document(id, text, new Document.Metadata("test", title, null, 0, null, Map.of()));
    }

    static final List<Document> DOCS = List.of(
            doc("g1", "Glaucoma", "Glaucoma damages the optic nerve. It often has no early symptoms. Vision loss starts at "
                    + "the edges. Eye drops lower the pressure. Surgery can help too."),
            doc("g2", "Glaucoma", "The symptoms of glaucoma come late. Side vision fades first. Halos appear around lights."),
            doc("c1", "Cataract", "A cataract clouds the lens of the eye. Surgery replaces the lens. Most people see better "
                    + "after it. Glare at night is a common symptom."),
            doc("f1", "Flu", "Influenza spreads by droplets. A yearly vaccine lowers the risk."));

    static double cos(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }

    static float[] vec(String text) {
        return new HashEmbedder().embed(List.of(text))[0];
    }

    @Test
    void defaultScoresAreDenseLeadBm25AndTopicAspect() {
        String query = "What are the symptoms of Glaucoma?";
        Bm25Index bm25 = new Bm25Index(TextTerms.english(), Bm25Index.DEFAULT_K1, Bm25Index.DEFAULT_B);
        for (Document d : DOCS) {
            bm25.add(d.id(), d.metadata().title() + " " + d.metadata().title() + " " + d.text());
        }
        double[] lex = bm25.scores(query);
        double lexMax = java.util.Arrays.stream(lex).max().orElseThrow();
        float[] q = vec(query);
        Map<String, Double> first = new HashMap<>();
        String top = null;
        for (int i = 0; i < DOCS.size(); i++) {
            Document d = DOCS.get(i);
            List<String> s = Chunker.sentences(d.text());
            String lead = d.metadata().title() + ": " + String.join(" ", s.subList(0, Math.min(3, s.size())));
            double f = cos(q, vec(d.metadata().title() + ": " + d.text())) + 0.5 * cos(q, vec(lead)) + 0.4 * lex[i] / lexMax;
            first.put(d.id(), f);
            if (top == null || f > first.get(top)) {
                top = d.id();
            }
        }
        String best = top;
        String topTitle = DOCS.stream().filter(d -> d.id().equals(best)).findFirst().orElseThrow().metadata().title();
        float[] aspect = vec(Retriever.aspectOf(query, topTitle));
        assertEquals("What are the symptoms of ?", Retriever.aspectOf(query, topTitle));
        try (Retriever r = Retriever.builder().setEmbedder(new HashEmbedder()).build()) {
            r.index(DOCS, ProgressListener.NONE);
            List<Retriever.Result> got = r.search(query, 4);
            assertEquals(4, got.size());
            for (Retriever.Result res : got) {
                Document d = res.document();
                double expected = first.get(d.id()) + (d.metadata().title().equals(topTitle)
                        ? 1.5 * cos(aspect, vec(d.metadata().title() + ": " + d.text())) : 0);
                assertEquals(expected, res.score(), 1e-5, d.id());
            }
            assertEquals("g2", got.get(0).document().id());
        }
    }

    @Test
    void leadIsEmbeddedOnlyWhenItDiffersFromThePassageAndOnlyWhenWeighted() {
        Counting c = new Counting();
        try (Retriever r = Retriever.builder().setEmbedder(c).build()) {
            r.index(DOCS, ProgressListener.NONE);
        }
        // 4 passages + the leads of g1 and c1 (g2 and f1 have at most 3 sentences: lead = passage, vector reused).
        assertEquals(6, c.seen.size());
        assertTrue(c.seen.contains("Glaucoma: Glaucoma damages the optic nerve. It often has no early symptoms. "
                + "Vision loss starts at the edges."));
        Counting off = new Counting();
        try (Retriever r = Retriever.builder().setEmbedder(off).optLeadWeight(0).build()) {
            r.index(DOCS, ProgressListener.NONE);
            assertEquals(4, off.seen.size());
            assertEquals(2, r.search("flu vaccine", 2).size());
        }
    }

    @Test
    void builderRejectsBadLeadAndTitleWeights() {
        assertThrows(IllegalArgumentException.class, () -> Retriever.builder().optLeadSentences(0));
        assertThrows(IllegalArgumentException.class, () -> Retriever.builder().optBm25TitleWeight(-1));
    }
}
