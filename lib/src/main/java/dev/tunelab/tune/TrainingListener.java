package dev.tunelab.tune;

import java.nio.file.Path;
import java.util.Map;

/** Receives training progress. Every method has an empty default. */
public interface TrainingListener {
    /**
     * One optimizer step done.
     *
     * @param step            1-based optimizer step
     * @param totalSteps      planned steps
     * @param loss            mean training loss over the step's micro-batches
     * @param learningRate    learning rate used for this step
     * @param gradNorm        global gradient norm before clipping
     * @param tokensPerSecond tokens (real, non-padding) per second since the start of this run
     * @param etaSeconds      estimated seconds to the last step
     */
    record Progress(int step, int totalSteps, int epoch, double loss, double learningRate, double gradNorm,
                    double tokensPerSecond, double etaSeconds) {}

    default void onStep(Progress progress) {}

    default void onEvaluation(int step, Map<String, Double> metrics) {}

    default void onCheckpoint(int step, Path dir) {}

    default void onEnd(TrainingResult result) {}
}
