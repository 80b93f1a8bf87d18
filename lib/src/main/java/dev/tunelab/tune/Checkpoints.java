package dev.tunelab.tune;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tunelab.model.Safetensors;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Training checkpoints: {@code <dir>/checkpoint-<step>/} with trainable.safetensors (trainable weights),
 * optimizer.safetensors (AdamW moments) and trainer_state.json (step, RNG position, curves, early-stopping state).
 * A checkpoint is built in a temporary directory and renamed into place, so a crash never leaves half of one.
 */
public final class Checkpoints {
    static final String TRAINABLE = "trainable.safetensors";
    static final String OPTIMIZER = "optimizer.safetensors";
    static final String STATE = "trainer_state.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Checkpoints() {}

    public static Path save(Path root, int step, Map<String, NDArray> trainable, Map<String, NDArray> optimizerState,
                            ObjectNode state, int keep) throws IOException {
        Files.createDirectories(root);
        Path target = root.resolve("checkpoint-" + step);
        Path tmp = Files.createTempDirectory(root, ".checkpoint-" + step + "-");
        try {
            Safetensors.write(tmp.resolve(TRAINABLE), trainable, Safetensors.Precision.F32, null);
            Safetensors.write(tmp.resolve(OPTIMIZER), optimizerState, Safetensors.Precision.F32, null);
            JSON.writeValue(tmp.resolve(STATE).toFile(), state);
            if (Files.exists(target)) {
                deleteTree(target);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            deleteTree(tmp);
            throw e;
        }
        List<Path> all = list(root);
        for (int i = 0; keep > 0 && i < all.size() - keep; i++) {
            deleteTree(all.get(i));
        }
        return target;
    }

    /** Complete checkpoints under {@code root}, oldest first. */
    public static List<Path> list(Path root) throws IOException {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return out;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root, "checkpoint-*")) {
            for (Path p : ds) {
                if (Files.isRegularFile(p.resolve(STATE))) {
                    out.add(p);
                }
            }
        }
        out.sort(Comparator.comparingInt(Checkpoints::stepOf));
        return out;
    }

    static int stepOf(Path p) {
        try {
            return Integer.parseInt(p.getFileName().toString().substring("checkpoint-".length()));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** {@code path} itself when it is a checkpoint, else the newest checkpoint under it. */
    public static Path resolve(Path path) throws IOException {
        if (Files.isRegularFile(path.resolve(STATE))) {
            return path;
        }
        List<Path> all = list(path);
        if (all.isEmpty()) {
            throw new IOException(path + ": no checkpoint found (expected checkpoint-<step>/" + STATE + ")");
        }
        return all.get(all.size() - 1);
    }

    public record Loaded(JsonNode state, LinkedHashMap<String, NDArray> trainable,
                         LinkedHashMap<String, NDArray> optimizer) {}

    public static Loaded load(Path checkpoint, NDManager manager) throws IOException {
        JsonNode state = JSON.readTree(checkpoint.resolve(STATE).toFile());
        return new Loaded(state, Safetensors.read(checkpoint.resolve(TRAINABLE), manager),
                Safetensors.read(checkpoint.resolve(OPTIMIZER), manager));
    }

    static ObjectMapper json() {
        return JSON;
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(x);
            }
        }
    }
}
