package dev.tunelab.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a reference script from the test resources in Debian's /usr/bin/python3 and parses its JSON output. A missing
 * interpreter or module is a test FAILURE (never a skip).
 */
public final class PythonReference {
    private PythonReference() {}

    public static JsonNode run(Class<?> owner, String resource, String... args) {
        try (InputStream in = owner.getResourceAsStream(resource)) {
            if (in == null) {
                throw new AssertionError("missing test resource " + resource);
            }
            Path script = Files.createTempFile("tunelab-ref-", ".py");
            try {
                Files.write(script, in.readAllBytes());
                List<String> cmd = new ArrayList<>(List.of("/usr/bin/python3", script.toString()));
                cmd.addAll(List.of(args));
                Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
                p.getOutputStream().close();
                byte[] out = p.getInputStream().readAllBytes();
                byte[] err = p.getErrorStream().readAllBytes();
                if (!p.waitFor(120, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new AssertionError("reference script " + resource + " timed out");
                }
                if (p.exitValue() != 0) {
                    throw new AssertionError("reference script " + resource + " failed (" + p.exitValue() + "): "
                            + new String(err, StandardCharsets.UTF_8));
                }
                return new ObjectMapper().readTree(out);
            } finally {
                Files.deleteIfExists(script);
            }
        } catch (IOException e) {
            throw new AssertionError("cannot run /usr/bin/python3: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
