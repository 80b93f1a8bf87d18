package dev.tunelab.tune;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a reference script in Debian's /usr/bin/python3 (numpy, torch). A missing interpreter fails the test. */
final class Py {
    private Py() {}

    static String run(String script, Path workDir, String... args) throws IOException, InterruptedException {
        Path file = Files.createTempFile(workDir, "ref", ".py");
        Files.writeString(file, script, StandardCharsets.UTF_8);
        String python = System.getenv().getOrDefault("TUNELAB_PYTHON", "/usr/bin/python3");
        List<String> cmd = new ArrayList<>(List.of(python, file.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("OMP_NUM_THREADS", "1");
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("python reference timed out");
        }
        String text = new String(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IOException("python reference failed (" + p.exitValue() + "):\n" + text);
        }
        return text;
    }

    static void writeFloats(Path file, float[] data) throws IOException {
        java.nio.ByteBuffer bb = java.nio.ByteBuffer.allocate(4 * data.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (float f : data) {
            bb.putFloat(f);
        }
        Files.write(file, bb.array());
    }

    static float[] readFloats(Path file) throws IOException {
        java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(Files.readAllBytes(file)).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[bb.remaining() / 4];
        for (int i = 0; i < out.length; i++) {
            out[i] = bb.getFloat();
        }
        return out;
    }
}
