package dev.tunelab.bench;

import java.util.List;

/** Every benchmark `tunelab bench` knows, in the order they run. */
public final class Benchmarks {
    private Benchmarks() {}

    public static List<Benchmark> all() {
        return List.of(new TrainingBenchmark(), new GenerationBenchmark(), new RetrievalSingleBenchmark(),
                new RetrievalBatchBenchmark());
    }
}
