package dev.tunelab.pretrain;

import dev.tunelab.model.LanguageModel;
import dev.tunelab.tune.Trainer;
import dev.tunelab.tune.TrainingExample;
import dev.tunelab.tune.TunedModel;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Validation loss of a model over token windows: mean next-token cross-entropy (nats) over positions 1..T-1. */
public final class DefaultModelEval {
    private DefaultModelEval() {}

    public static double meanLoss(LanguageModel lm, List<int[]> windows, int batchSize) {
        List<TrainingExample.Tokens> rows = new ArrayList<>(windows.size());
        for (int[] w : windows) {
            boolean[] mask = new boolean[w.length];
            Arrays.fill(mask, true);
            rows.add(new TrainingExample.Tokens(w, mask));
        }
        double loss = Trainer.evaluationLoss(TunedModel.full(lm.model()), rows, batchSize,
                Math.max(0, lm.tokenizer().padId()));
        if (!Double.isFinite(loss)) {
            throw new IllegalStateException("validation loss is not finite: " + loss);
        }
        return loss;
    }
}
