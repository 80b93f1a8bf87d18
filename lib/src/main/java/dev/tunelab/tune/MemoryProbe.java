package dev.tunelab.tune;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Process memory figures from /proc/self/status (Linux); -1 elsewhere. */
public final class MemoryProbe {
    private MemoryProbe() {}

    /** Peak resident set size (VmHWM): JVM heap and native (libtorch) memory together. */
    public static long peakResidentBytes() {
        return field("VmHWM:");
    }

    /** Current resident set size (VmRSS). */
    public static long residentBytes() {
        return field("VmRSS:");
    }

    private static long field(String name) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(name)) {
                    String[] parts = line.substring(name.length()).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024L;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
