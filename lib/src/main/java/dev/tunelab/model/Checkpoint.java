package dev.tunelab.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/** Takes named tensors out of a loaded checkpoint, checking shapes, and reports missing or unexpected names. */
final class Checkpoint {
    private final Map<String, NDArray> tensors;
    private final String source;
    private final Set<String> unused;

    Checkpoint(Map<String, NDArray> tensors, String source) {
        this.tensors = tensors;
        this.source = source;
        this.unused = new LinkedHashSet<>(tensors.keySet());
    }

    NDArray take(String name, Shape shape) {
        NDArray a = tensors.get(name);
        if (a == null) {
            throw new IllegalArgumentException(source + ": missing tensor '" + name + "' " + shape);
        }
        if (!a.getShape().equals(shape)) {
            throw new IllegalArgumentException(source + ": tensor '" + name + "' has shape " + a.getShape()
                    + ", config.json implies " + shape);
        }
        unused.remove(name);
        return a;
    }

    void ignore(String name) {
        unused.remove(name);
    }

    void ignoreSuffix(String suffix) {
        unused.removeIf(n -> n.endsWith(suffix));
    }

    void requireAllUsed() {
        if (!unused.isEmpty()) {
            throw new IllegalArgumentException(source + ": unexpected tensor(s) " + unused.stream().limit(5).toList()
                    + (unused.size() > 5 ? " and " + (unused.size() - 5) + " more" : "")
                    + " (does config.json match the weights?)");
        }
    }
}
