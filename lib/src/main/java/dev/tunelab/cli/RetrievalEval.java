package dev.tunelab.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tunelab.data.DataFormatException;
import dev.tunelab.data.Dataset;
import dev.tunelab.data.Example;
import dev.tunelab.experiment.AtomicFiles;
import dev.tunelab.rag.Chunker;
import dev.tunelab.rag.RetrievalEvaluation;
import dev.tunelab.rag.Retriever;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * `tunelab eval --strategy retrieval`: every row's document field is the corpus, every row's query field must
 * retrieve its own row's document. Prints recall@k, MRR, nDCG@k (and topic recall with --group-field).
 */
final class RetrievalEval {
    private RetrievalEval() {}

    static Args declare(Args args) {
        return args
                .option("query-field", "column", "retrieval: the question column", "question")
                .option("doc-field", "column", "retrieval: the document column (the corpus)", "answer")
                .option("group-field", "column", "retrieval: topic column for topic recall (e.g. focus)")
                .option("title-field", "column|none", "retrieval: column used as each document's title "
                        + "(default: --group-field, else 'title' or 'focus' when present)")
                .option("chunk-sentences", "n", "retrieval: embed chunks of n sentences (overlap 1) instead of "
                        + "whole documents")
                .option("bm25-weight", "w", "retrieval: weight of the normalised BM25 score", "0.4")
                .option("bm25-title-weight", "n", "retrieval: times a document's title counts in BM25", "2")
                .option("lead-sentences", "n", "retrieval: sentences in each document's separately embedded lead", "3")
                .option("lead-weight", "w", "retrieval: weight of the query's cosine to the lead (0 = off)", "0.5")
                .option("aspect-weight", "w", "retrieval: weight of the title-stripped query", "0")
                .option("topic-aspect-weight", "w", "retrieval: extra aspect weight inside the query's topic", "1.5");
    }

    static int run(Args args) throws Exception {
        Path data = args.path("data");
        if (data == null) {
            throw new UsageException("eval: --data is required");
        }
        if (!Files.isRegularFile(data)) {
            throw new UsageException("eval: no such file: " + data);
        }
        int k = args.intValue("k", 1, 1000);
        Dataset d;
        try {
            d = Dataset.reader(data).read();
        } catch (DataFormatException | IllegalArgumentException e) {
            throw new UsageException("eval: " + e.getMessage());
        }
        String query = column(d, data, args.get("query-field"), "query-field");
        String doc = column(d, data, args.get("doc-field"), "doc-field");
        String group = args.has("group-field") ? column(d, data, args.get("group-field"), "group-field") : null;
        String title = titleField(d, data, args, group);
        List<Example> examples = new ArrayList<>();
        for (int i = 0; i < d.size(); i++) {
            Map<String, String> row = d.row(i);
            String q = row.get(query);
            String a = row.get(doc);
            if (q == null || q.isBlank() || a == null || a.isBlank()) {
                throw new UsageException("eval: " + data + " row " + (i + 1) + " has an empty '"
                        + (q == null || q.isBlank() ? query : doc) + "'");
            }
            examples.add(new Example(row.getOrDefault(Dataset.ID, "row-" + i), q, a, row));
        }
        Retriever.Builder b = Retriever.builder().optDefaultEmbedder()
                .optBm25Weight(args.doubleValue("bm25-weight", -1e-12, 10))
                .optAspectWeight(args.doubleValue("aspect-weight", -1e-12, 10))
                .optTopicAspectWeight(args.doubleValue("topic-aspect-weight", -1e-12, 10))
                .optBm25TitleWeight(args.intValue("bm25-title-weight", 0, 10))
                .optLeadSentences(args.intValue("lead-sentences", 1, 100))
                .optLeadWeight(args.doubleValue("lead-weight", -1e-12, 10));
        if (args.has("chunk-sentences")) {
            b.optChunker(Chunker.bySentences(args.intValue("chunk-sentences", 2, 100), 1));
        }
        System.err.printf("eval: %s, %d queries over %d documents (title field: %s)%n", data.getFileName(),
                examples.size(), examples.size(), title == null ? "none" : title);
        RetrievalEvaluation.Report r;
        try (Retriever retriever = b.build()) {
            r = RetrievalEvaluation.run(examples, retriever, k, title, group, ConsoleProgress.stderr());
        }
        System.out.printf(Locale.ROOT, "recall@%d: %.4f%n", k, r.recallAtK());
        System.out.printf(Locale.ROOT, "mrr: %.4f%n", r.mrr());
        System.out.printf(Locale.ROOT, "ndcg@%d: %.4f%n", k, r.ndcgAtK());
        if (r.topicRecallAtK() != null) {
            System.out.printf(Locale.ROOT, "topic_recall@%d: %.4f%n", k, r.topicRecallAtK());
        }
        System.err.printf(Locale.ROOT, "eval: indexed in %.1f s, searched in %.1f s%n", r.indexSeconds(), r.searchSeconds());
        Map<String, Object> doc2 = new LinkedHashMap<>();
        doc2.put("strategy", "retrieval");
        doc2.put("data", data.toString());
        doc2.put("queries", r.queries());
        doc2.put("metrics", r.asMap());
        doc2.put("index_seconds", r.indexSeconds());
        doc2.put("search_seconds", r.searchSeconds());
        Path out = args.path("out");
        AtomicFiles.writeString(out, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(doc2));
        System.out.println("wrote " + out);
        return 0;
    }

    private static String titleField(Dataset d, Path data, Args args, String group) {
        if (args.has("title-field")) {
            String t = args.get("title-field");
            return t.equals("none") ? null : column(d, data, t, "title-field");
        }
        if (group != null) {
            return group;
        }
        for (String c : new String[] {"title", "focus"}) {
            if (d.columns().contains(c)) {
                return c;
            }
        }
        return null;
    }

    private static String column(Dataset d, Path data, String name, String option) {
        if (!d.columns().contains(name)) {
            throw new UsageException("eval: " + data + " has no column '" + name + "' (--" + option + "); columns: "
                    + String.join(", ", d.columns()));
        }
        return name;
    }
}
