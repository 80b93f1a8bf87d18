package dev.tunelab.rag;

import dev.tunelab.eval.ProgressListener;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * TuneLab's default retrieval pipeline, document level. Passages ("title: text", or chunks of it) are embedded into
 * a {@link VectorIndex}, and so is each document's lead ("title: " + its first sentences); documents are also indexed
 * by {@link Bm25Index} (title terms counted {@code w_title} times). For a query the candidates are the dense top-n
 * (passages and leads) ∪ the BM25 top-n, scored by
 * <pre>
 *   first(q, d) = max_{p ∈ d} cos(q, p) + w_lead · cos(q, lead(d)) + w_bm25 · bm25(q, d) / max_d' bm25(q, d')
 *   score(q, d) = first(q, d) + (w_aspect + [title(d) = title(d*)] · w_topic) · max_{p ∈ d} cos(a(q), p)
 * </pre>
 * where d* is the best document by {@code first} and a(q), the "aspect" of the query, is q with d*'s title removed:
 * it lets "What are the symptoms of X?" prefer X's symptom passage over X's overview. The lead gives extra weight to
 * what an answer says first, which mean pooling over a long passage dilutes. Weights 0 switch a part off.
 */
public final class Retriever implements AutoCloseable {
    /** One retrieved document with its best passage. */
    public record Result(Document document, double score, Document passage) {}

    private final Embedder embedder;
    private final Chunker chunker;
    private final boolean titleInPassage;
    private final double bm25Weight;
    private final double aspectWeight;
    private final double topicAspectWeight;
    private final int leadSentences;
    private final double leadWeight;
    private final int bm25TitleWeight;
    private final int candidates;
    private final boolean closeEmbedder;

    private final Map<String, Document> docs = new LinkedHashMap<>();
    private final Map<String, Document> passages = new HashMap<>();
    private final Map<String, List<String>> passagesOf = new HashMap<>();
    private VectorIndex index;
    /** One lead vector per document (id = document id); null when the lead is off. */
    private VectorIndex leads;
    private Bm25Index bm25;

    private Retriever(Builder b) {
        this.embedder = b.embedder;
        this.chunker = b.chunker;
        this.titleInPassage = b.titleInPassage;
        this.bm25Weight = b.bm25Weight;
        this.aspectWeight = b.aspectWeight;
        this.topicAspectWeight = b.topicAspectWeight;
        this.leadSentences = b.leadSentences;
        this.leadWeight = b.leadWeight;
        this.bm25TitleWeight = b.bm25TitleWeight;
        this.candidates = b.candidates;
        this.closeEmbedder = b.closeEmbedder;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Embedder embedder() {
        return embedder;
    }

    public int size() {
        return docs.size();
    }

    public VectorIndex vectorIndex() {
        return index;
    }

    /** Embeds and indexes {@code documents} (replacing anything indexed before). */
    public Retriever index(List<Document> documents, ProgressListener listener) {
        Documents.requireUniqueIds(documents);
        docs.clear();
        passages.clear();
        passagesOf.clear();
        closeIndexes();
        index = new VectorIndex(embedder.dimension());
        leads = leadWeight == 0 ? null : new VectorIndex(embedder.dimension());
        bm25 = new Bm25Index(TextTerms.english(), Bm25Index.DEFAULT_K1, Bm25Index.DEFAULT_B);
        List<Document> all = new ArrayList<>();
        for (Document d : documents) {
            docs.put(d.id(), d);
            bm25.add(d.id(), bm25Text(d));
            List<Document> parts = chunker == null ? List.of(d) : chunker.chunk(d);
            List<String> ids = new ArrayList<>();
            for (Document p : parts) {
                passages.put(p.id(), p);
                ids.add(p.id());
                all.add(p);
            }
            passagesOf.put(d.id(), ids);
        }
        int batch = 256;
        for (int start = 0; start < all.size(); start += batch) {
            List<Document> part = all.subList(start, Math.min(all.size(), start + batch));
            float[][] v = embedder.embed(part.stream().map(this::passageText).toList());
            index.addAll(part, v);
            listener.progress("embed passages", Math.min(all.size(), start + batch), all.size(), embedder.name());
        }
        if (leads != null) {
            indexLeads(documents, listener);
        }
        return this;
    }

    /** Embeds every document's lead; a lead that is the whole passage reuses the passage's vector. */
    private void indexLeads(List<Document> documents, ProgressListener listener) {
        List<Document> todo = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        for (Document d : documents) {
            String lead = leadText(d);
            List<String> parts = passagesOf.get(d.id());
            if (parts.size() == 1 && lead.equals(passageText(passages.get(parts.get(0))))) {
                leads.add(d.id(), index.vector(parts.get(0)), Map.of());
            } else {
                todo.add(d);
                texts.add(lead);
            }
        }
        int batch = 256;
        for (int start = 0; start < todo.size(); start += batch) {
            int end = Math.min(todo.size(), start + batch);
            float[][] v = embedder.embed(texts.subList(start, end));
            for (int i = start; i < end; i++) {
                leads.add(todo.get(i).id(), v[i - start], Map.of());
            }
            listener.progress("embed leads", end, todo.size(), embedder.name());
        }
    }

    /** "title: " + the first {@code leadSentences} sentences of the document. */
    private String leadText(Document d) {
        List<String> s = Chunker.sentences(d.text());
        String lead = String.join(" ", s.subList(0, Math.min(leadSentences, s.size())));
        String title = d.metadata().title();
        return titleInPassage && title != null && !title.isBlank() ? title + ": " + lead : lead;
    }

    /** The BM25 text: the title {@code bm25TitleWeight} times, then the text. */
    private String bm25Text(Document d) {
        String title = d.metadata().title();
        return title == null || title.isBlank() ? d.text() : (title + " ").repeat(bm25TitleWeight) + d.text();
    }

    private String passageText(Document p) {
        String title = p.metadata().title();
        return titleInPassage && title != null && !title.isBlank() ? title + ": " + p.text() : p.text();
    }

    public List<Result> search(String query, int k) {
        return searchAll(List.of(query), k, ProgressListener.NONE).get(0);
    }

    /** The top-k documents for every query (queries embedded in batches). */
    public List<List<Result>> searchAll(List<String> queries, int k, ProgressListener listener) {
        if (index == null) {
            throw new IllegalStateException("index(documents) first");
        }
        int depth = Math.max(k, candidates);
        float[][] qv = embedder.embed(queries);
        listener.progress("embed queries", queries.size(), queries.size(), embedder.name());
        int passageDepth = Math.min(index.size(), chunker == null ? depth : depth * 4);
        List<List<VectorIndex.Hit>> dense = index.searchBatch(qv, passageDepth);
        List<List<VectorIndex.Hit>> leadHits = leads == null ? null : leads.searchBatch(qv, Math.min(leads.size(), depth));
        List<Map<String, Double>> scores = new ArrayList<>();
        List<Map<String, String>> best = new ArrayList<>();
        List<String> aspects = new ArrayList<>();
        List<String> topTitles = new ArrayList<>();
        for (int q = 0; q < queries.size(); q++) {
            Set<String> cand = new LinkedHashSet<>();
            for (VectorIndex.Hit h : dense.get(q)) {
                String parent = passages.get(h.id()).parentId();
                if (cand.size() < depth || cand.contains(parent)) {
                    cand.add(parent);
                }
            }
            if (leadHits != null) {
                for (VectorIndex.Hit h : leadHits.get(q)) {
                    cand.add(h.id());
                }
            }
            double[] lexical = bm25Weight == 0 ? null : bm25.scores(queries.get(q));
            double lexMax = 0;
            if (lexical != null) {
                for (Scored s : bm25.search(queries.get(q), depth)) {
                    cand.add(s.id());
                }
                for (double v : lexical) {
                    lexMax = Math.max(lexMax, v);
                }
            }
            Map<String, Double> s = new HashMap<>();
            Map<String, String> bestPassage = new HashMap<>();
            Map<String, Integer> row = lexical == null ? Map.of() : bm25Rows();
            for (String d : cand) {
                double dn = maxCos(qv[q], d, bestPassage);
                double lex = lexical == null || lexMax <= 0 ? 0 : lexical[row.get(d)] / lexMax;
                double lead = leads == null ? 0 : leadWeight * leads.dot(d, qv[q]);
                s.put(d, dn + lead + bm25Weight * lex);
            }
            scores.add(s);
            best.add(bestPassage);
            String top = s.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse(null);
            String topTitle = top == null ? null : docs.get(top).metadata().title();
            topTitles.add(topTitle);
            aspects.add(aspectOf(queries.get(q), topTitle));
        }
        if (aspectWeight != 0 || topicAspectWeight != 0) {
            float[][] av = embedder.embed(aspects);
            for (int q = 0; q < queries.size(); q++) {
                String topTitle = topTitles.get(q);
                for (Map.Entry<String, Double> e : scores.get(q).entrySet()) {
                    double c = maxCos(av[q], e.getKey(), null);
                    boolean sameTopic = topTitle != null && topTitle.equals(docs.get(e.getKey()).metadata().title());
                    e.setValue(e.getValue() + aspectWeight * c + (sameTopic ? topicAspectWeight * c : 0));
                }
            }
        }
        List<List<Result>> out = new ArrayList<>();
        for (int q = 0; q < queries.size(); q++) {
            Map<String, String> bp = best.get(q);
            out.add(scores.get(q).entrySet().stream()
                    .sorted(Map.Entry.<String, Double>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                    .limit(k)
                    .map(e -> new Result(docs.get(e.getKey()), e.getValue(), passages.get(bp.get(e.getKey()))))
                    .toList());
        }
        return out;
    }

    /** The query with the title removed (case-insensitive); the query itself when there is no title in it. */
    static String aspectOf(String query, String title) {
        if (title == null || title.isBlank()) {
            return query;
        }
        String a = query.replaceAll("(?i)" + Pattern.quote(title.strip()), " ").replaceAll("\\s+", " ").strip();
        return a.isEmpty() ? query : a;
    }

    private Map<String, Integer> bm25RowCache;

    private Map<String, Integer> bm25Rows() {
        if (bm25RowCache == null || bm25RowCache.size() != bm25.size()) {
            Map<String, Integer> m = new HashMap<>();
            for (int i = 0; i < bm25.size(); i++) {
                m.put(bm25.id(i), i);
            }
            bm25RowCache = m;
        }
        return bm25RowCache;
    }

    private double maxCos(float[] q, String doc, Map<String, String> bestPassage) {
        double bestScore = Double.NEGATIVE_INFINITY;
        String bestId = null;
        for (String p : passagesOf.get(doc)) {
            double s = index.dot(p, q);
            if (s > bestScore) {
                bestScore = s;
                bestId = p;
            }
        }
        if (bestPassage != null) {
            bestPassage.put(doc, bestId);
        }
        return bestScore;
    }

    private void closeIndexes() {
        for (VectorIndex v : new VectorIndex[] {index, leads}) {
            if (v != null) {
                v.close();
            }
        }
    }

    @Override
    public void close() {
        closeIndexes();
        if (closeEmbedder) {
            embedder.close();
        }
    }

    /** DJL-style builder: {@code setX} required, {@code optX} optional. */
    public static final class Builder {
        private Embedder embedder;
        private Chunker chunker;
        private boolean titleInPassage = true;
        private double bm25Weight = 0.4;
        private double aspectWeight = 0.0;
        private double topicAspectWeight = 1.5;
        private int leadSentences = 3;
        private double leadWeight = 0.5;
        private int bm25TitleWeight = 2;
        private int candidates = 100;
        private boolean closeEmbedder;

        public Builder setEmbedder(Embedder e) {
            this.embedder = e;
            return this;
        }

        /** Uses the offline MiniLM embedder and closes it with the retriever. */
        public Builder optDefaultEmbedder() {
            this.embedder = MiniLmEmbedder.create();
            this.closeEmbedder = true;
            return this;
        }

        /** Embed chunks instead of whole documents (document score = best chunk). Default: whole documents. */
        public Builder optChunker(Chunker c) {
            this.chunker = c;
            return this;
        }

        /** Prefix each passage with its document title ("title: text"). Default true. */
        public Builder optTitleInPassage(boolean b) {
            this.titleInPassage = b;
            return this;
        }

        /** Weight of the max-normalised BM25 score (0 = dense only). Default 0.4. */
        public Builder optBm25Weight(double w) {
            this.bm25Weight = w;
            return this;
        }

        /** Weight of the title-stripped query's similarity everywhere (0 = off). Default 0. */
        public Builder optAspectWeight(double w) {
            this.aspectWeight = w;
            return this;
        }

        /**
         * Extra weight of the aspect similarity for documents with the same title as the best first-pass document
         * (the query's topic): reorders the topic's documents by aspect without pulling in other topics. Default 1.5.
         */
        public Builder optTopicAspectWeight(double w) {
            this.topicAspectWeight = w;
            return this;
        }

        /** Sentences in a document's lead ("title: " + its first sentences), embedded on its own. Default 3. */
        public Builder optLeadSentences(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("lead sentences must be >= 1, got " + n);
            }
            this.leadSentences = n;
            return this;
        }

        /** Weight of the query's cosine to each document's lead (0 = off, nothing extra embedded). Default 0.5. */
        public Builder optLeadWeight(double w) {
            this.leadWeight = w;
            return this;
        }

        /**
         * How many times a document's title is counted in its BM25 text (field weighting by repetition; 0 = the title
         * is not searched lexically). Default 2.
         */
        public Builder optBm25TitleWeight(int w) {
            if (w < 0) {
                throw new IllegalArgumentException("BM25 title weight must be >= 0, got " + w);
            }
            this.bm25TitleWeight = w;
            return this;
        }

        /** Candidates taken from each first-stage list. Default 100. */
        public Builder optCandidates(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("candidates must be >= 1, got " + n);
            }
            this.candidates = n;
            return this;
        }

        public Retriever build() {
            if (embedder == null) {
                throw new IllegalStateException("Retriever needs setEmbedder(...) or optDefaultEmbedder()");
            }
            return new Retriever(this);
        }
    }
}
