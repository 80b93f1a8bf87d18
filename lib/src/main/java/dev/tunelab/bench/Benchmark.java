package dev.tunelab.bench;

import java.util.List;

/**
 * One benchmark: measures our implementation and a peer (PyTorch, FAISS...) in the same run, on the same machine,
 * with the same thread count, and reports the ratio.
 */
public interface Benchmark {
    String name();

    /** One line for `tunelab bench --help`. */
    String description();

    List<BenchResult> run(BenchContext context) throws Exception;
}
