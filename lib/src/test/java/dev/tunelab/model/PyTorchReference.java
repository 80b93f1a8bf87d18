package dev.tunelab.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Runs the independent PyTorch reference (reference_models.py) in Debian's python3; a missing torch FAILS. */
final class PyTorchReference {
    private static final ObjectMapper JSON = new ObjectMapper();

    private PyTorchReference() {}

    static Path script(Path dir) throws IOException {
        Path s = dir.resolve("reference_models.py");
        try (InputStream in = PyTorchReference.class.getResourceAsStream("/dev/tunelab/model/reference_models.py")) {
            Files.copy(in, s, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        return s;
    }

    static JsonNode run(Path modelDir, String mode, Map<String, Object> request, String... extra) throws Exception {
        Path work = Files.createTempDirectory("pyref");
        Path req = work.resolve("request.json");
        JSON.writeValue(req.toFile(), request);
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/python3", script(work).toString(), mode,
                modelDir.toString(), req.toString()));
        cmd.addAll(List.of(extra));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("OMP_NUM_THREADS", "1");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("reference timed out");
        }
        assertEquals(0, p.exitValue(), "PyTorch reference failed (python3-torch is required):\n" + out);
        String[] lines = out.strip().split("\n");
        return JSON.readTree(lines[lines.length - 1]);
    }

    static float[] logits(Path modelDir, int[][] ids, float[][] mask) throws Exception {
        Path out = Files.createTempFile("logits", ".f32");
        run(modelDir, "logits", request(ids, mask, 0), out.toString());
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(out)).order(ByteOrder.LITTLE_ENDIAN);
        float[] f = new float[b.remaining() / 4];
        b.asFloatBuffer().get(f);
        Files.delete(out);
        return f;
    }

    static int[][] greedy(Path modelDir, int[][] ids, float[][] mask, int newTokens) throws Exception {
        JsonNode r = run(modelDir, "generate", request(ids, mask, newTokens));
        int[][] out = new int[ids.length][];
        for (int i = 0; i < ids.length; i++) {
            JsonNode row = r.get("ids").get(i);
            out[i] = new int[row.size()];
            for (int j = 0; j < row.size(); j++) {
                out[i][j] = row.get(j).asInt();
            }
        }
        return out;
    }

    static Map<String, Object> request(int[][] ids, float[][] mask, int newTokens) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("ids", ids);
        m.put("mask", mask);
        m.put("new_tokens", newTokens);
        return m;
    }
}
