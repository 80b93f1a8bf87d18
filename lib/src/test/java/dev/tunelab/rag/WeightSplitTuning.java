package dev.tunelab.rag;

import dev.tunelab.data.Dataset;
import dev.tunelab.data.Example;
import dev.tunelab.eval.ProgressListener;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

/**
 * Not a test (no *Test name): the honest choice of the retriever's defaults for docs/rag.md. Splits MedQuAD's
 * questions by {@code focus} into two seeded halves, grid-searches the pipeline's knobs on the tuning half only
 * (corpus = all answers) and prints own-answer recall@5 on the tuning half, the held-out half and the whole file for
 * every setting and for the chosen one (best tuning recall@5, ties broken by tuning MRR@100).
 * Run: java -cp lib/target/test-classes:lib/target/classes:$(cat lib/target/classpath.txt) dev.tunelab.rag.WeightSplitTuning FILE [CACHE]
 * CACHE (default /tmp/tunelab-minilm-cache.bin) keeps the MiniLM vectors between runs. A third argument
 * "title,leadSentences,leadWeight,bm25,aspect,topic;..." scores only those settings (no choice is made).
 */
final class WeightSplitTuning {
    static final long SEED = 20261123L;

    /** Embeds each distinct text once (the grid reuses every vector); optionally persisted to a file. */
    static final class Cached implements Embedder {
        private final Embedder inner;
        private final Map<String, float[]> cache = new HashMap<>();
        private int added;

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
                added += missing.size();
            }
            float[][] out = new float[texts.size()][];
            for (int i = 0; i < out.length; i++) {
                out[i] = cache.get(texts.get(i));
            }
            return out;
        }

        void load(Path file) throws IOException {
            if (!Files.isRegularFile(file)) {
                return;
            }
            try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
                int n = in.readInt();
                for (int i = 0; i < n; i++) {
                    byte[] t = new byte[in.readInt()];
                    in.readFully(t);
                    float[] v = new float[in.readInt()];
                    for (int j = 0; j < v.length; j++) {
                        v[j] = in.readFloat();
                    }
                    cache.put(new String(t, StandardCharsets.UTF_8), v);
                }
            }
        }

        void saveIfChanged(Path file) {
            if (added == 0) {
                return;
            }
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp)))) {
                out.writeInt(cache.size());
                for (Map.Entry<String, float[]> e : cache.entrySet()) {
                    byte[] t = e.getKey().getBytes(StandardCharsets.UTF_8);
                    out.writeInt(t.length);
                    out.write(t);
                    out.writeInt(e.getValue().length);
                    for (float f : e.getValue()) {
                        out.writeFloat(f);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            added = 0;
        }

        public void close() {
            inner.close();
        }
    }

    /** One point of the grid. */
    record Setting(int titleWeight, int leadSentences, double leadWeight, double bm25, double aspect, double topic) {
        Retriever.Builder apply(Retriever.Builder b) {
            b.optBm25TitleWeight(titleWeight).optLeadWeight(leadWeight).optBm25Weight(bm25).optAspectWeight(aspect)
                    .optTopicAspectWeight(topic);
            return leadSentences > 0 ? b.optLeadSentences(leadSentences) : b;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "title %d lead %d x %.2f bm25 %.2f aspect %.2f topic %.2f",
                    titleWeight, leadSentences, leadWeight, bm25, aspect, topic);
        }
    }

    /** Own-answer recall@5 on the tuning half, the held-out half and all; MRR@100 on the tuning half. */
    record Score(double tune, double heldOut, double all, double tuneMrr) {}

    public static void main(String[] args) throws IOException {
        Dataset d = Dataset.fromJsonl(Path.of(args[0]));
        Path cacheFile = Path.of(args.length > 1 ? args[1] : "/tmp/tunelab-minilm-cache.bin");
        List<Example> ex = new ArrayList<>();
        for (int i = 0; i < d.size(); i++) {
            Map<String, String> row = d.row(i);
            ex.add(new Example("row-" + i, row.get("question"), row.get("answer"), row));
        }
        boolean[] tune = tuningHalf(ex);
        List<Document> docs = new ArrayList<>();
        List<String> queries = new ArrayList<>();
        for (int i = 0; i < ex.size(); i++) {
            Example e = ex.get(i);
            docs.add(new Document("row-" + i, e.target(), new Document.Metadata(e.field("source"), e.field("focus"),
                    e.field("url"), 0, null, e.fields())));
            queries.add(e.input());
        }
        Cached emb = new Cached(MiniLmEmbedder.create());
        emb.load(cacheFile);
        if (args.length > 2) {
            for (String spec : args[2].split(";")) {
                double[] v = java.util.Arrays.stream(spec.split(",")).mapToDouble(Double::parseDouble).toArray();
                Setting s = new Setting((int) v[0], (int) v[1], v[2], v[3], v[4], v[5]);
                Score r = score(emb, docs, queries, tune, s);
                System.out.printf(Locale.ROOT, "%s: tune %.4f held-out %.4f all %.4f tune-mrr %.4f%n",
                        s, r.tune(), r.heldOut(), r.all(), r.tuneMrr());
            }
            emb.saveIfChanged(cacheFile);
            emb.close();
            return;
        }
        // The grid (600 settings): BM25 title weight 1-3 × lead (off, or 1-3 sentences × weight 0.25/0.5/1.0) × BM25
        // weight 0.2-0.6 × topic aspect weight 1.0-2.5. The outside-topic aspect weight stays 0 (the previous round's
        // grid chose 0).
        List<double[]> leads = new ArrayList<>();
        leads.add(new double[] {0, 0});
        for (int n = 1; n <= 3; n++) {
            for (double w : new double[] {0.25, 0.5, 1.0}) {
                leads.add(new double[] {n, w});
            }
        }
        double[] bm25 = {0.2, 0.3, 0.4, 0.5, 0.6};
        double[] topic = {1.0, 1.5, 2.0, 2.5};
        Setting best = null;
        Score bestScore = null;
        for (int title = 1; title <= 3; title++) {
            for (double[] lead : leads) {
                for (double b : bm25) {
                    for (double t : topic) {
                        Setting s = new Setting(title, (int) lead[0], lead[1], b, 0, t);
                        Score r = score(emb, docs, queries, tune, s);
                        System.out.printf(Locale.ROOT, "%s: tune %.4f held-out %.4f all %.4f tune-mrr %.4f%n",
                                s, r.tune(), r.heldOut(), r.all(), r.tuneMrr());
                        if (bestScore == null || r.tune() > bestScore.tune()
                                || r.tune() == bestScore.tune() && r.tuneMrr() > bestScore.tuneMrr()) {
                            best = s;
                            bestScore = r;
                        }
                    }
                }
                emb.saveIfChanged(cacheFile);
            }
        }
        System.out.printf(Locale.ROOT, "CHOSEN on tuning half: %s -> tune %.4f held-out %.4f all %.4f tune-mrr %.4f%n",
                best, bestScore.tune(), bestScore.heldOut(), bestScore.all(), bestScore.tuneMrr());
        emb.saveIfChanged(cacheFile);
        emb.close();
    }

    /** The 105 focus topics shuffled with {@link #SEED}; questions of the first half are the tuning half. */
    static boolean[] tuningHalf(List<Example> ex) {
        List<String> topics = new ArrayList<>(new TreeSet<>(ex.stream().map(e -> e.field("focus")).toList()));
        Collections.shuffle(topics, new Random(SEED));
        Set<String> tuneTopics = new HashSet<>(topics.subList(0, topics.size() / 2));
        boolean[] tune = new boolean[ex.size()];
        int nTune = 0;
        for (int i = 0; i < ex.size(); i++) {
            tune[i] = tuneTopics.contains(ex.get(i).field("focus"));
            nTune += tune[i] ? 1 : 0;
        }
        System.out.println("topics " + topics.size() + ", tuning questions " + nTune + ", held-out " + (ex.size() - nTune));
        return tune;
    }

    static Score score(Embedder emb, List<Document> docs, List<String> queries, boolean[] tune, Setting s) {
        try (Retriever r = s.apply(Retriever.builder().setEmbedder(emb)).build()) {
            r.index(docs, ProgressListener.NONE);
            List<List<Retriever.Result>> res = r.searchAll(queries, RetrievalEvaluation.MRR_DEPTH, ProgressListener.NONE);
            int[] hit = new int[3];
            int[] n = new int[3];
            double mrr = 0;
            for (int i = 0; i < queries.size(); i++) {
                String own = docs.get(i).id();
                List<String> ids = res.get(i).stream().map(x -> x.document().id()).toList();
                int rank = ids.indexOf(own);
                int h = tune[i] ? 0 : 1;
                n[h]++;
                n[2]++;
                if (rank >= 0 && rank < 5) {
                    hit[h]++;
                    hit[2]++;
                }
                if (tune[i] && rank >= 0) {
                    mrr += 1.0 / (rank + 1);
                }
            }
            return new Score((double) hit[0] / n[0], (double) hit[1] / n[1], (double) hit[2] / n[2], mrr / n[0]);
        }
    }
}
