package dev.tunelab.rag;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs an independent reference computation in Debian's /usr/bin/python3 (numpy); a failure fails the test. */
final class Py {
    private Py() {}

    static String run(Path dir, String script, String... args) throws IOException, InterruptedException {
        Path file = dir.resolve("ref.py");
        Files.writeString(file, script, StandardCharsets.UTF_8);
        String python = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
        List<String> cmd = new ArrayList<>(List.of(python, file.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("OMP_NUM_THREADS", "1");
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("python reference timed out");
        }
        String text = new String(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new AssertionError("python reference failed (exit " + p.exitValue() + "):\n" + text);
        }
        return text.strip();
    }

    /** Writes rows as little-endian float32, row-major (numpy: np.fromfile(f, '<f4').reshape(n, d)). */
    static void writeF32(Path file, float[][] rows) throws IOException {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(rows.length * rows[0].length * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (float[] r : rows) {
            for (float v : r) {
                b.putFloat(v);
            }
        }
        Files.write(file, b.array());
    }
}
