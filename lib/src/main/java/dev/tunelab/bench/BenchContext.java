package dev.tunelab.bench;

import java.nio.file.Path;

/**
 * @param threads     intra-op threads for both sides
 * @param repetitions timed repetitions per measurement (the median is reported)
 * @param quick       smaller sizes, for smoke tests
 * @param workDir     scratch directory for peer scripts and data
 */
public record BenchContext(int threads, int repetitions, boolean quick, Path workDir) {}
