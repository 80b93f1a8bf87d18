package dev.tunelab.tune;

import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import dev.tunelab.model.TextTokenizer;

import java.util.ArrayList;
import java.util.List;

/**
 * Classification with a causal LM: each candidate label is scored by the log-likelihood of its tokens after the
 * prompt; the most likely wins. Used as an early-stopping / evaluation metric during fine-tuning.
 */
public final class LabelScorer {
    private LabelScorer() {}

    /** Log-likelihood of each label as the completion of {@code prompt}. */
    public static double[] scores(TunedModel tuned, TextTokenizer tok, String prompt, List<String> labels, int maxLength) {
        List<TrainingExample.Tokens> rows = new ArrayList<>();
        for (String label : labels) {
            rows.add(TrainingExample.of(prompt, label).tokenize(tok, maxLength, false));
        }
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try (NDManager m = tuned.model().manager().newSubManager()) {
            return Batches.rowLogLikelihoods(tuned.model(), Batches.collate(rows, Math.max(0, tok.padId())), m);
        } finally {
            JniUtils.setGradMode(gradMode);
        }
    }

    /** Fraction of examples whose completion is the most likely of {@code labels}. */
    public static double accuracy(TunedModel tuned, TextTokenizer tok, List<TrainingExample> examples,
                                  List<String> labels, int maxLength) {
        if (examples.isEmpty()) {
            return Double.NaN;
        }
        tuned.setTraining(false);
        int correct = 0;
        for (TrainingExample e : examples) {
            double[] s = scores(tuned, tok, e.prompt(), labels, maxLength);
            int best = 0;
            for (int i = 1; i < s.length; i++) {
                if (s[i] > s[best]) {
                    best = i;
                }
            }
            correct += labels.get(best).equals(e.completion()) ? 1 : 0;
        }
        return correct / (double) examples.size();
    }
}
