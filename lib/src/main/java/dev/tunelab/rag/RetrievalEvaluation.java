package dev.tunelab.rag;

import dev.tunelab.data.Example;
import dev.tunelab.eval.ProgressListener;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Question → own-answer retrieval on a question/answer dataset: the corpus is every example's answer
 * ({@code target}), each question ({@code input}) must retrieve its own answer. With a group field (e.g. MedQuAD's
 * "focus") it also reports the topic hit rate: at least one answer of the same group in the top k.
 */
public final class RetrievalEvaluation {
    /**
     * @param topicRecallAtK null without a group field
     */
    public record Report(int queries, int k, double recallAtK, double mrr, double ndcgAtK, Double topicRecallAtK,
                         double indexSeconds, double searchSeconds) {
        public Map<String, Object> asMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("recall@" + k, recallAtK);
            m.put("mrr", mrr);
            m.put("ndcg@" + k, ndcgAtK);
            if (topicRecallAtK != null) {
                m.put("topic_recall@" + k, topicRecallAtK);
            }
            return m;
        }
    }

    private RetrievalEvaluation() {}

    /** MRR is computed over the top {@value #MRR_DEPTH} results. */
    public static final int MRR_DEPTH = 100;

    /**
     * @param titleField field used as each answer's title ("title: answer" passages), null for none
     * @param groupField field grouping answers by topic, null for none
     */
    public static Report run(List<Example> examples, Retriever retriever, int k, String titleField, String groupField,
                             ProgressListener listener) {
        if (examples.isEmpty()) {
            throw new IllegalArgumentException("no examples to evaluate");
        }
        List<Document> docs = new ArrayList<>();
        List<String> queries = new ArrayList<>();
        for (int i = 0; i < examples.size(); i++) {
            Example e = examples.get(i);
            String title = titleField == null ? null : e.field(titleField);
            docs.add(new Document(docId(i), e.target(),
                    new Document.Metadata(e.field("source"), title, e.field("url"), 0, null, e.fields())));
            queries.add(e.input());
        }
        long t0 = System.nanoTime();
        retriever.index(docs, listener);
        long t1 = System.nanoTime();
        List<List<Retriever.Result>> results = retriever.searchAll(queries, Math.max(k, MRR_DEPTH), listener);
        long t2 = System.nanoTime();
        List<List<String>> ranked = new ArrayList<>();
        List<Set<String>> own = new ArrayList<>();
        for (int i = 0; i < examples.size(); i++) {
            ranked.add(results.get(i).stream().map(r -> r.document().id()).toList());
            own.add(Set.of(docId(i)));
        }
        Double topic = null;
        if (groupField != null) {
            Map<String, Set<String>> byGroup = new HashMap<>();
            for (int i = 0; i < examples.size(); i++) {
                String g = examples.get(i).field(groupField);
                if (g == null) {
                    throw new IllegalArgumentException("example " + examples.get(i).id() + " has no field '" + groupField + "'");
                }
                byGroup.computeIfAbsent(g, x -> new HashSet<>()).add(docId(i));
            }
            List<Set<String>> sameGroup = new ArrayList<>();
            for (Example e : examples) {
                sameGroup.add(byGroup.get(e.field(groupField)));
            }
            topic = RetrievalMetrics.hitRateAtK(ranked, sameGroup, k);
        }
        return new Report(examples.size(), k, RetrievalMetrics.recallAtK(ranked, own, k),
                RetrievalMetrics.mrr(ranked, own, MRR_DEPTH), RetrievalMetrics.ndcgAtK(ranked, own, k), topic,
                (t1 - t0) / 1e9, (t2 - t1) / 1e9);
    }

    static String docId(int row) {
        return "row-" + row;
    }
}
