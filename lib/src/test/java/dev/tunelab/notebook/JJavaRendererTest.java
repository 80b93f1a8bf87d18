package dev.tunelab.notebook;

import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * JJava's real renderer (org.dflib.jjava:jjava-jupyter 1.0-a6 from Maven Central, fetched by environment/install.sh)
 * accepts TuneLab's DisplayDataRenderable proxy and ends up with exactly TuneLab's MIME bundle; outside a running
 * kernel JJava is not mistaken for one.
 */
class JJavaRendererTest {
    static Path jar(String group, String artifact, String version) {
        String repo = System.getProperty("maven.repo.local",
                Path.of(System.getProperty("user.home"), ".m2", "repository").toString());
        Path p = Path.of(repo, group.replace('.', '/'), artifact, version, artifact + "-" + version + ".jar");
        assertTrue(Files.isRegularFile(p), p + " is missing: run `bash environment/install.sh` first");
        return p;
    }

    static URLClassLoader jjava() throws Exception {
        return new URLClassLoader(new URL[] {
                jar("org.dflib.jjava", "jjava-jupyter", "1.0-a6").toUri().toURL(),
                jar("com.google.code.gson", "gson", "2.13.1").toUri().toURL()}, null);
    }

    @Test
    void realRendererReceivesTheExactBundle() throws Exception {
        try (URLClassLoader loader = jjava()) {
            Class<?> renderable = loader.loadClass("org.dflib.jjava.jupyter.kernel.display.DisplayDataRenderable");
            Class<?> statics = loader.loadClass("org.dflib.jjava.jupyter.kernel.BaseNotebookStatics");
            Method display = statics.getMethod("display", Object.class, String[].class);
            IJavaFamilyBackend backend = new IJavaFamilyBackend("jjava", display, null, renderable);

            MimeBundle bundle = MimeRenderer.render(new BufferedImage(3, 2, BufferedImage.TYPE_INT_RGB));
            Object renderer = loader.loadClass("org.dflib.jjava.jupyter.kernel.display.Renderer")
                    .getConstructor().newInstance();
            Object displayData = renderer.getClass().getMethod("render", Object.class)
                    .invoke(renderer, backend.payload(bundle));

            Field data = displayData.getClass().getDeclaredField("data");
            data.setAccessible(true);
            assertEquals(bundle.data(), Map.copyOf((Map<?, ?>) data.get(displayData)));
        }
    }

    @Test
    void jjavaLibraryWithoutARunningKernelIsNotDetected() throws Exception {
        try (URLClassLoader loader = jjava()) {
            assertTrue(KernelDetector.detect(List.of(loader), KernelDetector.IJAVA_FAMILIES, List.of()).isEmpty(),
                    "BaseKernel.notebookKernel() is null outside a kernel");
        }
    }
}
