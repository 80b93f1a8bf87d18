package dev.tunelab.experiment;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Samples the process's resident memory (VmRSS: Java heap plus PyTorch's native buffers) on a daemon thread while a
 * strategy runs and keeps the peak. Falls back to the JVM's used heap where /proc is unavailable.
 */
final class MemorySampler implements AutoCloseable {
    private static final Path STATUS = Path.of("/proc/self/status");
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long peak;

    MemorySampler(long intervalMillis) {
        peak = currentBytes();
        thread = new Thread(() -> {
            while (running) {
                peak = Math.max(peak, currentBytes());
                try {
                    Thread.sleep(intervalMillis);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "tunelab-memory-sampler");
        thread.setDaemon(true);
        thread.start();
    }

    long peakBytes() {
        return Math.max(peak, currentBytes());
    }

    static long currentBytes() {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith("VmRSS:")) {
                    String[] parts = line.substring(6).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024L;
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // not Linux: use the heap below
        }
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
