package dev.tunelab.tune;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What a training run did and cost.
 *
 * @param steps            optimizer steps completed (including those before a resume)
 * @param stopReason       "max_steps", "early_stopping: ...", "non-finite loss ..." or "fp16 overflow: ..." (then
 *                         {@code failed})
 * @param failed           true when training stopped on a NaN/inf loss or gradient
 * @param lossCurve        (step, mean training loss)
 * @param evalCurve        (step, metric name → value)
 * @param trainSeconds     wall time of this run's training loop, evaluations and checkpoints included (not counting
 *                         time before a resume)
 * @param tokensPerSecond  real (non-padding) tokens per second of training steps (evaluation/checkpoint time excluded)
 * @param peakMemoryBytes  process peak resident set (VmHWM: JVM heap + native libtorch memory)
 * @param lastCheckpoint   the newest checkpoint written (null if none)
 * @param precision        the training precision
 * @param skippedSteps     fp16: steps skipped because their gradients (or loss) overflowed; 0 otherwise
 * @param lossScale        fp16: the dynamic loss scale at the end; NaN without loss scaling
 */
public record TrainingResult(int steps, String stopReason, boolean failed, List<Point> lossCurve,
                             List<Evaluation> evalCurve, double trainSeconds, double tokensPerSecond, long tokens,
                             long peakMemoryBytes, Path lastCheckpoint, Map<String, Double> finalEval,
                             Precision precision, int skippedSteps, double lossScale) {
    public record Point(int step, double value) {}

    public record Evaluation(int step, Map<String, Double> metrics) {}
}
