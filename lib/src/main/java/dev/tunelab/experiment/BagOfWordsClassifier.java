package dev.tunelab.experiment;

import dev.tunelab.data.Example;
import dev.tunelab.data.Split;
import dev.tunelab.data.TaskType;
import dev.tunelab.eval.Prediction;
import dev.tunelab.eval.ProgressListener;
import dev.tunelab.eval.Strategy;
import dev.tunelab.eval.StrategyCost;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A trained classical baseline: multinomial logistic regression on TF-IDF features, full-batch gradient descent with
 * L2. It records train and validation loss per epoch, so it shows up in the loss-curve charts like a fine-tuning run.
 */
public final class BagOfWordsClassifier implements Strategy {
    private final int epochs;
    private final double learningRate;
    private final double l2;
    private TfIdf tfidf;
    private List<String> labels;
    private double[][] weights; // [label][feature]
    private double[] bias;
    private final List<double[]> trainLoss = new ArrayList<>();
    private final List<double[]> validationLoss = new ArrayList<>();
    private double trainSeconds;

    public BagOfWordsClassifier(int epochs, double learningRate, double l2) {
        this.epochs = epochs;
        this.learningRate = learningRate;
        this.l2 = l2;
    }

    @Override
    public String name() {
        return "bow-logreg";
    }

    @Override
    public String kind() {
        return "fine-tuning";
    }

    @Override
    public void prepare(Split split, ProgressListener listener) {
        if (split.task() != TaskType.CLASSIFICATION) {
            throw new IllegalArgumentException(name() + " handles classification only, split " + split.name() + " is " + split.task());
        }
        long t0 = System.nanoTime();
        labels = split.labels();
        tfidf = new TfIdf(split.train().stream().map(Example::input).toList());
        int f = tfidf.size(), c = labels.size();
        weights = new double[c][f];
        bias = new double[c];
        Random rnd = new Random(7);
        for (double[] row : weights) {
            for (int j = 0; j < f; j++) {
                row[j] = rnd.nextGaussian() * 0.01;
            }
        }
        List<Map<Integer, Double>> xs = split.train().stream().map(e -> tfidf.vector(e.input())).toList();
        int[] ys = split.train().stream().mapToInt(e -> labelIndex(e.target())).toArray();
        List<Map<Integer, Double>> vx = split.validation().stream().map(e -> tfidf.vector(e.input())).toList();
        int[] vy = split.validation().stream().mapToInt(e -> labelIndex(e.target())).toArray();
        for (int epoch = 1; epoch <= epochs; epoch++) {
            double[][] gw = new double[c][f];
            double[] gb = new double[c];
            double loss = 0;
            for (int i = 0; i < xs.size(); i++) {
                double[] p = probabilities(xs.get(i));
                loss -= Math.log(Math.max(p[ys[i]], 1e-12));
                for (int k = 0; k < c; k++) {
                    double g = p[k] - (k == ys[i] ? 1 : 0);
                    gb[k] += g;
                    for (Map.Entry<Integer, Double> e : xs.get(i).entrySet()) {
                        gw[k][e.getKey()] += g * e.getValue();
                    }
                }
            }
            int n = xs.size();
            for (int k = 0; k < c; k++) {
                bias[k] -= learningRate * gb[k] / n;
                for (int j = 0; j < f; j++) {
                    weights[k][j] -= learningRate * (gw[k][j] / n + l2 * weights[k][j]);
                }
            }
            trainLoss.add(new double[]{epoch, loss / n});
            if (!vx.isEmpty()) {
                validationLoss.add(new double[]{epoch, meanLoss(vx, vy)});
            }
            listener.progress("train " + name(), epoch, epochs, String.format("loss %.4f", loss / n));
        }
        trainSeconds = (System.nanoTime() - t0) / 1e9;
    }

    private double meanLoss(List<Map<Integer, Double>> xs, int[] ys) {
        double loss = 0;
        for (int i = 0; i < xs.size(); i++) {
            loss -= Math.log(Math.max(probabilities(xs.get(i))[ys[i]], 1e-12));
        }
        return loss / xs.size();
    }

    private int labelIndex(String label) {
        int i = labels.indexOf(label);
        if (i < 0) {
            throw new IllegalArgumentException("label '" + label + "' is not one of " + labels);
        }
        return i;
    }

    private double[] probabilities(Map<Integer, Double> x) {
        double[] z = new double[labels.size()];
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < z.length; k++) {
            z[k] = bias[k];
            for (Map.Entry<Integer, Double> e : x.entrySet()) {
                z[k] += weights[k][e.getKey()] * e.getValue();
            }
            max = Math.max(max, z[k]);
        }
        double sum = 0;
        for (int k = 0; k < z.length; k++) {
            z[k] = Math.exp(z[k] - max);
            sum += z[k];
        }
        for (int k = 0; k < z.length; k++) {
            z[k] /= sum;
        }
        return z;
    }

    @Override
    public Prediction predict(Example example) {
        if (weights == null) {
            throw new IllegalStateException(name() + ": predict() before prepare()");
        }
        long t0 = System.nanoTime();
        double[] p = probabilities(tfidf.vector(example.input()));
        Map<String, Double> scores = new LinkedHashMap<>();
        int best = 0;
        for (int k = 0; k < p.length; k++) {
            scores.put(labels.get(k), Math.log(Math.max(p[k], 1e-300)));
            if (p[k] > p[best]) {
                best = k;
            }
        }
        return new Prediction(labels.get(best), labels.get(best), scores, (System.nanoTime() - t0) / 1e6, 0, 0, List.of());
    }

    @Override
    public StrategyCost cost() {
        long params = weights == null ? 0 : (long) weights.length * weights[0].length + bias.length;
        Map<String, List<double[]>> curves = new LinkedHashMap<>();
        curves.put("train_loss", List.copyOf(trainLoss));
        curves.put("validation_loss", List.copyOf(validationLoss));
        return new StrategyCost(trainSeconds, params, 0, curves, Map.of("features", tfidf == null ? 0 : tfidf.size()));
    }
}
