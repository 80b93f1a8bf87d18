package dev.tunelab.notebook;

import org.junit.jupiter.api.Test;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real rapaio-jupyter-kernel jar (fetched into the local Maven repository by environment/install.sh) still has
 * the static display signatures {@link KernelDetector} looks for.
 */
class RapaioKernelSignatureTest {
    static Path rapaioJar() {
        String repo = System.getProperty("maven.repo.local",
                Path.of(System.getProperty("user.home"), ".m2", "repository").toString());
        return Path.of(repo, "io", "github", "padreati", "rapaio-jupyter-kernel", "3.0.1",
                "rapaio-jupyter-kernel-3.0.1.jar");
    }

    @Test
    void realRapaioJarIsDetectedByItsGlobalDisplaySignature() throws Exception {
        Path jar = rapaioJar();
        assertTrue(Files.isRegularFile(jar), jar + " is missing: run `bash environment/install.sh` first");
        try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null)) {
            DisplayBackend b = KernelDetector.detect(List.of(loader), KernelDetector.IJAVA_FAMILIES,
                    KernelDetector.RAPAIO_FAMILIES).orElseThrow(() -> new AssertionError("rapaio not detected"));
            assertEquals("rapaio", b.name());
            assertTrue(b.canUpdate(), "rapaio 3.0.1 has updateDisplay(id, mime, value)");
        }
    }
}
