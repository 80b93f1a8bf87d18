package dev.tunelab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The foundation's promise: DJL runs from the Maven Central jars alone. A training step runs in a process that has no
 * network at all (a fresh network namespace: only a loopback interface) and gives exactly the numbers it gives here.
 */
class OfflineDjlTest {
    @Test
    void forwardAndBackwardRunWithoutAnyNetwork() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> cmd = List.of("unshare", "-n", java.toString(), "-cp", System.getProperty("java.class.path"),
                "-Dai.djl.offline=true", "-Dai.djl.default_engine=PyTorch", OfflineSmoke.class.getName());
        Path log = Files.createTempFile("offline-smoke", ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), "offline smoke run timed out");
        String out = Files.readString(log);
        assertEquals(0, p.exitValue(), "offline run failed (unshare needs root, as in CI):\n" + out);
        String last = out.strip().lines().reduce((a, b) -> b).orElse("");
        JsonNode offline = new ObjectMapper().readTree(last);
        JsonNode online = new ObjectMapper().readTree(OfflineSmoke.run());

        assertEquals("lo", offline.get("interfaces").asText(), "the child process still saw a network");
        double loss = offline.get("loss").asDouble();
        assertTrue(Double.isFinite(loss) && Math.abs(loss - Math.log(260)) < 0.5,
                "a random model's loss should be near ln(vocab)=5.56, got " + loss);
        assertEquals(online.get("loss").asDouble(), loss, 1e-6);
        for (String name : OfflineSmoke.PARAMS) {
            double g = offline.get(name).asDouble();
            assertTrue(g > 0 && Double.isFinite(g), name + " got no gradient offline");
            assertEquals(online.get(name).asDouble(), g, 1e-5 * Math.max(1, g), name);
        }
    }
}
