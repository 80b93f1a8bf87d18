package dev.tunelab.experiment;

import dev.tunelab.eval.ProgressListener;

import java.util.ArrayList;
import java.util.List;

/** The experiment `tunelab compare` runs without --config: real data, embedded model, no network. */
public final class DefaultExperiments {
    private DefaultExperiments() {}

    public static List<Comparison> run(boolean quick, ProgressListener listener) {
        List<Comparison> out = new ArrayList<>();
        int train = quick ? 48 : 200, val = quick ? 8 : 25, test = quick ? 20 : 50;
        out.add(Experiment.named("sentiment")
                .split(LocalData.sentiment(train, val, test, 42))
                .config("quick", quick)
                .knn(5)
                .bagOfWords(quick ? 40 : 100)
                .listener(listener)
                .run());
        return out;
    }
}
