package dev.tunelab.rag;

import dev.tunelab.data.Dataset;
import dev.tunelab.data.Example;
import dev.tunelab.eval.ProgressListener;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;

/**
 * Not a test (no *Test name): the honest weight choice for docs/rag.md. Splits MedQuAD's questions by {@code focus}
 * into two seeded halves, grid-searches the fusion weights on the tuning half only (corpus = all answers), and prints
 * own-answer recall@5 on the held-out half and on the whole file for the chosen weights.
 * Run: java -cp lib/target/test-classes:lib/target/classes:$(cat lib/target/classpath.txt) dev.tunelab.rag.WeightSplitTuning FILE
 */
final class WeightSplitTuning {
    /** Embeds each distinct text once (the grid reuses every vector). */
    static final class Cached implements Embedder {
        private final Embedder inner;
        private final Map<String, float[]> cache = new HashMap<>();

        Cached(Embedder inner) {
            this.inner = inner;
        }

        public int dimension() {
            return inner.dimension();
        }

        public String name() {
            return inner.name();
        }

        public synchronized float[][] embed(List<String> texts) {
            List<String> missing = texts.stream().filter(t -> !cache.containsKey(t)).distinct().toList();
            if (!missing.isEmpty()) {
                float[][] v = inner.embed(missing);
                for (int i = 0; i < v.length; i++) {
                    cache.put(missing.get(i), v[i]);
                }
            }
            float[][] out = new float[texts.size()][];
            for (int i = 0; i < out.length; i++) {
                out[i] = cache.get(texts.get(i));
            }
            return out;
        }

        public void close() {
            inner.close();
        }
    }

    public static void main(String[] args) {
        Dataset d = Dataset.fromJsonl(Path.of(args[0]));
        List<Example> ex = new ArrayList<>();
        for (int i = 0; i < d.size(); i++) {
            Map<String, String> row = d.row(i);
            ex.add(new Example("row-" + i, row.get("question"), row.get("answer"), row));
        }
        List<String> topics = new ArrayList<>(new TreeSet<>(ex.stream().map(e -> e.field("focus")).toList()));
        java.util.Collections.shuffle(topics, new Random(20261123L));
        java.util.Set<String> tuneTopics = new java.util.HashSet<>(topics.subList(0, topics.size() / 2));
        boolean[] tune = new boolean[ex.size()];
        int nTune = 0;
        for (int i = 0; i < ex.size(); i++) {
            tune[i] = tuneTopics.contains(ex.get(i).field("focus"));
            nTune += tune[i] ? 1 : 0;
        }
        System.out.println("topics " + topics.size() + ", tuning questions " + nTune + ", held-out " + (ex.size() - nTune));
        List<Document> docs = new ArrayList<>();
        List<String> queries = new ArrayList<>();
        for (int i = 0; i < ex.size(); i++) {
            Example e = ex.get(i);
            docs.add(new Document("row-" + i, e.target(), new Document.Metadata(e.field("source"), e.field("focus"),
                    e.field("url"), 0, null, e.fields())));
            queries.add(e.input());
        }
        double[] bm25 = {0, 0.1, 0.2, 0.3, 0.4, 0.5};
        double[] aspect = {0, 0.25, 0.5, 0.75, 1.0};
        double[] topicAspect = {0, 0.5, 1.0, 1.5, 2.0};
        Cached emb = new Cached(MiniLmEmbedder.create());
        double best = -1;
        double[] bestW = null;
        for (double b : bm25) {
            for (double a : aspect) {
                for (double t : topicAspect) {
                    double[] r = recall(emb, docs, queries, tune, b, a, t);
                    System.out.printf("bm25 %.2f aspect %.2f topic %.2f: tune %.4f held-out %.4f all %.4f%n", b, a, t, r[0], r[1], r[2]);
                    if (r[0] > best) {
                        best = r[0];
                        bestW = new double[] {b, a, t};
                    }
                }
            }
        }
        double[] r = recall(emb, docs, queries, tune, bestW[0], bestW[1], bestW[2]);
        System.out.printf("CHOSEN on tuning half: bm25 %.2f aspect %.2f topic %.2f -> tune %.4f held-out %.4f all %.4f%n",
                bestW[0], bestW[1], bestW[2], r[0], r[1], r[2]);
        emb.close();
    }

    /** Own-answer recall@5 on {tuning half, held-out half, all}. */
    static double[] recall(Embedder emb, List<Document> docs, List<String> queries, boolean[] tune, double b, double a, double t) {
        try (Retriever r = Retriever.builder().setEmbedder(emb).optBm25Weight(b).optAspectWeight(a).optTopicAspectWeight(t).build()) {
            r.index(docs, ProgressListener.NONE);
            List<List<Retriever.Result>> res = r.searchAll(queries, 5, ProgressListener.NONE);
            int[] hit = new int[3];
            int[] n = new int[3];
            for (int i = 0; i < queries.size(); i++) {
                String own = docs.get(i).id();
                boolean ok = res.get(i).stream().anyMatch(x -> x.document().id().equals(own));
                int h = tune[i] ? 0 : 1;
                n[h]++;
                n[2]++;
                if (ok) {
                    hit[h]++;
                    hit[2]++;
                }
            }
            return new double[] {(double) hit[0] / n[0], (double) hit[1] / n[1], (double) hit[2] / n[2]};
        }
    }
}
