package dev.tunelab.tune;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Cost accounting of one fine-tuning run, as written to metrics.json.
 *
 * @param frozenWeightBytes   frozen tensors as stored (a QLoRA base at its packed 4/8-bit size; with fp16 the frozen
 *                            linear weights at 2 bytes each)
 * @param optimizerStateBytes AdamW moments (2 x trainable x 4 bytes)
 * @param gradientBytes       gradient buffers (= trainable bytes; frozen tensors get none)
 * @param tensorBytes         frozen + trainable + gradient + optimizer bytes: the tensors the run must hold
 * @param peakMemoryBytes     process peak resident set (VmHWM of /proc/self/status): JVM heap and libtorch native
 *                            memory together, including activations; it is a process-lifetime peak
 */
public record RunMetrics(String method, long totalParams, long trainableParams, long frozenWeightBytes,
                         long optimizerStateBytes, long gradientBytes, long tensorBytes, long peakMemoryBytes,
                         double trainSeconds, double tokensPerSecond, int steps, String stopReason,
                         Map<String, Double> eval, TrainingResult result) {

    public static RunMetrics of(TunedModel tuned, TrainingResult result, long optimizerStateBytes) {
        long frozen = tuned.frozenWeightBytes();
        long trainable = tuned.trainableBytes();
        return new RunMetrics(tuned.method().id(), tuned.totalParams(), tuned.trainableParams(), frozen,
                optimizerStateBytes, trainable, frozen + 2 * trainable + optimizerStateBytes, result.peakMemoryBytes(),
                result.trainSeconds(), result.tokensPerSecond(), result.steps(), result.stopReason(),
                new LinkedHashMap<>(result.finalEval()), result);
    }

    public ObjectNode toJson() {
        ObjectMapper m = new ObjectMapper();
        ObjectNode o = m.createObjectNode();
        o.put("method", method);
        o.put("precision", result.precision().id());
        o.put("total_params", totalParams);
        o.put("trainable_params", trainableParams);
        o.put("trainable_fraction", totalParams == 0 ? 0 : trainableParams / (double) totalParams);
        o.put("frozen_weight_bytes", frozenWeightBytes);
        o.put("optimizer_state_bytes", optimizerStateBytes);
        o.put("gradient_bytes", gradientBytes);
        o.put("tensor_bytes", tensorBytes);
        o.put("peak_memory_bytes", peakMemoryBytes);
        o.put("peak_memory_source", "VmHWM (process peak resident set: JVM heap + libtorch native memory)");
        o.put("train_seconds", trainSeconds);
        o.put("tokens_per_second", tokensPerSecond);
        o.put("steps", steps);
        if (result.precision().needsLossScaling()) {
            o.put("skipped_steps", result.skippedSteps());
            putNumber(o, "loss_scale", result.lossScale());
        }
        o.put("stop_reason", stopReason);
        o.put("failed", result.failed());
        ObjectNode ev = o.putObject("eval");
        eval.forEach((k, v) -> putNumber(ev, k, v));
        ArrayNode loss = o.putArray("loss_curve");
        result.lossCurve().forEach(p -> {
            ObjectNode pt = loss.addObject();
            pt.put("step", p.step());
            putNumber(pt, "loss", p.value());
        });
        ArrayNode evals = o.putArray("eval_curve");
        for (TrainingResult.Evaluation e : result.evalCurve()) {
            ObjectNode pt = evals.addObject();
            pt.put("step", e.step());
            e.metrics().forEach((k, v) -> putNumber(pt, k, v));
        }
        if (result.lastCheckpoint() != null) {
            o.put("last_checkpoint", result.lastCheckpoint().toString());
        }
        return o;
    }

    /** JSON has no NaN: non-finite values are written as null. */
    private static void putNumber(ObjectNode o, String k, double v) {
        if (Double.isFinite(v)) {
            o.put(k, v);
        } else {
            o.putNull(k);
        }
    }

    /** Writes metrics.json atomically. */
    public void write(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(tmp.toFile(), toJson());
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
