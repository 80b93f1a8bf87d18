package dev.tunelab.eval;

import java.util.List;
import java.util.Map;

/**
 * What preparing a strategy cost, measured in that run.
 *
 * @param trainSeconds    wall time of prepare() (training, indexing); 0 when nothing was prepared
 * @param trainableParams parameters updated by training (0 for prompting/RAG)
 * @param peakMemoryBytes peak memory observed while preparing and predicting
 * @param curves          named series for charts, e.g. "train_loss" → [step, value] pairs
 * @param extra           anything else worth reporting (total_params, frozen_weight_bytes, ...)
 */
public record StrategyCost(double trainSeconds, long trainableParams, long peakMemoryBytes,
                           Map<String, List<double[]>> curves, Map<String, Object> extra) {
    public static StrategyCost none() {
        return new StrategyCost(0, 0, 0, Map.of(), Map.of());
    }
}
