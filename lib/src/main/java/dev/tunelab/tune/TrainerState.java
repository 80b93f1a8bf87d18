package dev.tunelab.tune;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The mutable state of one training run and its trainer_state.json form (what a checkpoint needs to resume
 * exactly: step, optimizer step, RNG position, precision and loss scale, curves, early-stopping state).
 */
final class TrainerState {
    int step;
    int optimizerSteps;
    long tokens;
    long tokensAtStart;
    long pauseNanos;
    String stopReason;
    boolean failed;
    Path lastCheckpoint;
    double best = Double.NaN;
    int bestStep;
    int badEvals;
    long optimizerStateBytes;
    final List<TrainingResult.Point> lossCurve = new ArrayList<>();
    final List<TrainingResult.Evaluation> evalCurve = new ArrayList<>();

    /** trainer_state.json of a checkpoint at the current step. */
    ObjectNode toJson(TrainerConfig cfg, TunedModel tuned, LossScaler scaler) {
        ObjectNode st = Checkpoints.json().createObjectNode();
        st.put("step", step);
        st.put("optimizer_step", optimizerSteps);
        st.put("seed", cfg.seed);
        st.put("batch_size", cfg.batchSize);
        st.put("grad_accum", cfg.gradAccum);
        st.put("method", tuned.method().id());
        st.put("precision", cfg.precision.id());
        if (scaler != null) {
            ObjectNode ls = st.putObject("loss_scaler");
            ls.put("scale", scaler.scale());
            ls.put("growth_tracker", scaler.growthTracker());
            ls.put("skipped_steps", scaler.skippedSteps());
            ls.put("consecutive_skips", scaler.consecutiveSkips());
        }
        ObjectNode rng = st.putObject("rng");
        rng.put("seed", cfg.seed);
        rng.put("next_micro_batch", (long) step * cfg.gradAccum);
        st.put("tokens", tokens);
        if (Double.isFinite(best)) {
            st.put("best_metric", best);
        }
        st.put("best_step", bestStep);
        st.put("bad_evals", badEvals);
        ArrayNode losses = st.putArray("loss_curve");
        lossCurve.forEach(p -> losses.addArray().add(p.step()).add(p.value()));
        ArrayNode evals = st.putArray("eval_curve");
        for (TrainingResult.Evaluation e : evalCurve) {
            ObjectNode o = evals.addObject();
            o.put("step", e.step());
            e.metrics().forEach(o::put);
        }
        return st;
    }

    /** Precision a checkpoint was trained in (checkpoints from before mixed precision existed are fp32). */
    static Precision precisionOf(JsonNode st) {
        return st.hasNonNull("precision") ? Precision.parse(st.get("precision").asText()) : Precision.FP32;
    }

    /**
     * Fills this state from a checkpoint's trainer_state.json after checking it fits {@code cfg} (same seed, batch
     * size, accumulation and precision: anything else would not continue the same run).
     */
    void restore(JsonNode st, TrainerConfig cfg, LossScaler scaler, Path dir) {
        for (String key : List.of("seed", "batch_size", "grad_accum")) {
            long want = key.equals("seed") ? cfg.seed : key.equals("batch_size") ? cfg.batchSize : cfg.gradAccum;
            if (st.path(key).asLong() != want) {
                throw new IllegalArgumentException(dir + ": checkpoint has " + key + "=" + st.path(key).asLong()
                        + " but this run uses " + want + " (resume needs the same value)");
            }
        }
        Precision saved = precisionOf(st);
        if (saved != cfg.precision) {
            throw new IllegalArgumentException(dir + ": checkpoint was trained in " + saved.id() + " but this run uses "
                    + cfg.precision.id() + " (resume needs the same precision)");
        }
        step = st.path("step").asInt();
        optimizerSteps = st.has("optimizer_step") ? st.get("optimizer_step").asInt() : step;
        JsonNode ls = st.path("loss_scaler");
        if (scaler != null && ls.isObject()) {
            scaler.restore(ls.path("scale").asDouble(), ls.path("growth_tracker").asInt(),
                    ls.path("skipped_steps").asInt(), ls.path("consecutive_skips").asInt());
        }
        tokens = st.path("tokens").asLong();
        tokensAtStart = tokens;
        best = st.path("best_metric").isNumber() ? st.get("best_metric").asDouble() : Double.NaN;
        bestStep = st.path("best_step").asInt();
        badEvals = st.path("bad_evals").asInt();
        st.path("loss_curve").forEach(p -> lossCurve.add(new TrainingResult.Point(p.get(0).asInt(), p.get(1).asDouble())));
        for (JsonNode e : st.path("eval_curve")) {
            Map<String, Double> metrics = new LinkedHashMap<>();
            e.fields().forEachRemaining(f -> {
                if (!f.getKey().equals("step")) {
                    metrics.put(f.getKey(), f.getValue().asDouble());
                }
            });
            evalCurve.add(new TrainingResult.Evaluation(e.path("step").asInt(), metrics));
        }
        lastCheckpoint = dir;
    }
}
