package dev.tunelab.cli;

import dev.tunelab.data.Example;
import dev.tunelab.data.Split;
import dev.tunelab.eval.Prediction;
import dev.tunelab.eval.ProgressListener;
import dev.tunelab.eval.Strategy;
import dev.tunelab.eval.StrategyCost;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Passes everything through and keeps each prediction: its raw text and label scores are not in eval's results. */
final class RecordingStrategy implements Strategy {
    private final Strategy inner;
    final Map<String, Prediction> predictions = new ConcurrentHashMap<>();

    RecordingStrategy(Strategy inner) {
        this.inner = inner;
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public String kind() {
        return inner.kind();
    }

    @Override
    public void prepare(Split split, ProgressListener listener) {
        inner.prepare(split, listener);
    }

    @Override
    public Prediction predict(Example example) {
        Prediction p = inner.predict(example);
        predictions.put(example.id(), p);
        return p;
    }

    @Override
    public StrategyCost cost() {
        return inner.cost();
    }

    @Override
    public void close() {
        inner.close();
    }
}
