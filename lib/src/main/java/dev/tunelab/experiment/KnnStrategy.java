package dev.tunelab.experiment;

import dev.tunelab.data.Example;
import dev.tunelab.data.Split;
import dev.tunelab.data.TaskType;
import dev.tunelab.eval.Prediction;
import dev.tunelab.eval.ProgressListener;
import dev.tunelab.eval.Strategy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A retrieval baseline without any language model: the k most similar training examples by TF-IDF cosine vote for
 * the label (classification) or lend their answer (generation). It tells whether an LLM beats plain lookup.
 */
public final class KnnStrategy implements Strategy {
    private final int k;
    private List<Example> train;
    private List<Map<Integer, Double>> vectors;
    private TfIdf tfidf;
    private TaskType task;
    private List<String> labels;
    private final List<Double> topScores = new ArrayList<>();

    public KnnStrategy(int k) {
        if (k < 1) {
            throw new IllegalArgumentException("k must be >= 1, got " + k);
        }
        this.k = k;
    }

    @Override
    public String name() {
        return "tfidf-knn-" + k;
    }

    @Override
    public String kind() {
        return "retrieval";
    }

    @Override
    public void prepare(Split split, ProgressListener listener) {
        train = split.train();
        task = split.task();
        labels = split.labels();
        tfidf = new TfIdf(train.stream().map(Example::input).toList());
        vectors = new ArrayList<>();
        for (int i = 0; i < train.size(); i++) {
            vectors.add(tfidf.vector(train.get(i).input()));
            listener.progress("index " + name(), i + 1, train.size(), null);
        }
    }

    @Override
    public Prediction predict(Example example) {
        if (tfidf == null) {
            throw new IllegalStateException(name() + ": predict() before prepare()");
        }
        long t0 = System.nanoTime();
        Map<Integer, Double> q = tfidf.vector(example.input());
        List<Integer> order = new ArrayList<>();
        double[] sim = new double[train.size()];
        for (int i = 0; i < train.size(); i++) {
            sim[i] = TfIdf.dot(q, vectors.get(i));
            order.add(i);
        }
        order.sort(Comparator.comparingDouble((Integer i) -> -sim[i]).thenComparing(i -> i));
        List<Integer> top = order.subList(0, Math.min(k, order.size()));
        List<String> sources = top.stream().map(i -> train.get(i).id()).toList();
        top.forEach(i -> topScores.add(sim[i]));
        double ms = (System.nanoTime() - t0) / 1e6;
        if (task == TaskType.CLASSIFICATION) {
            Map<String, Double> votes = new LinkedHashMap<>();
            labels.forEach(l -> votes.put(l, 0.0));
            // similarity-weighted votes; a tiny constant keeps zero-similarity neighbours from being ignored entirely
            top.forEach(i -> votes.merge(train.get(i).target(), sim[i] + 1e-6, Double::sum));
            String best = votes.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
            return new Prediction(best, best, votes, ms, 0, 0, sources);
        }
        String answer = train.get(top.get(0)).target();
        return new Prediction(answer, null, Map.of(), ms, 0, 0, sources);
    }

    /** Reports the cosine similarity of every retrieved neighbour (for the retrieval-score histogram). */
    @Override
    public dev.tunelab.eval.StrategyCost cost() {
        return new dev.tunelab.eval.StrategyCost(0, 0, 0, Map.of(),
                Map.of("retrieval_scores", List.copyOf(topScores), "k", k, "index_size", train == null ? 0 : train.size()));
    }
}
