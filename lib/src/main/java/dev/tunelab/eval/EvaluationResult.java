package dev.tunelab.eval;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tunelab.data.TaskType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;

/**
 * Aggregate metrics and per-example results of one strategy on one example set. JSON (Jackson):
 * {@code {"strategy", "kind", "task", "metrics": {...}, "classification": {...}, "examples": [...]}}.
 *
 * @param metrics        name → value; see {@link Evaluation} for the names per task
 * @param classification per-class scores and confusion matrix; null for generation
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EvaluationResult(String strategy, String kind, TaskType task, Map<String, Double> metrics,
                               ClassificationMetrics classification, List<ExampleResult> examples) {
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public EvaluationResult {
        metrics = Map.copyOf(metrics);
        examples = List.copyOf(examples);
    }

    public double metric(String name) {
        Double v = metrics.get(name);
        if (v == null) {
            throw new IllegalArgumentException("no metric '" + name + "'; have " + metrics.keySet());
        }
        return v;
    }

    /** The examples answered wrongly, for error analysis. */
    public List<ExampleResult> errors() {
        return examples.stream().filter(e -> !e.correct()).toList();
    }

    public String toJson() {
        try {
            return MAPPER.writeValueAsString(this);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes {@link #toJson()} to a temp file beside {@code file}, then renames it into place. */
    public void writeJson(Path file) {
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, ".eval-", ".json.part");
            try {
                Files.writeString(tmp, toJson());
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
