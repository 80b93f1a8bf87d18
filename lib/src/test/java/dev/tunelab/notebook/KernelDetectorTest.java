package dev.tunelab.notebook;

import dev.tunelab.notebook.fakekernel.ijava.Kernel;
import dev.tunelab.notebook.fakekernel.ijava.Statics;
import dev.tunelab.notebook.fakekernel.rapaio.Global;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KernelDetectorTest {
    static final String FAKE = "dev.tunelab.notebook.fakekernel.";
    static final KernelDetector.IJavaFamily FAKE_IJAVA = new KernelDetector.IJavaFamily("fake-ijava",
            FAKE + "ijava.Statics", FAKE + "ijava.DisplayDataRenderable", FAKE + "ijava.Kernel#notebookKernel");
    static final KernelDetector.RapaioFamily FAKE_RAPAIO = new KernelDetector.RapaioFamily("fake-rapaio",
            FAKE + "rapaio.Global");
    static final List<ClassLoader> LOADERS = List.of(KernelDetectorTest.class.getClassLoader());

    @BeforeEach
    void reset() {
        Statics.CALLS.clear();
        Global.CALLS.clear();
        Kernel.instance = new Object();
    }

    @AfterEach
    void restore() {
        Display.useBackend(null);
    }

    @Test
    void ijavaFamilyReceivesTheExactBundle() {
        DisplayBackend b = KernelDetector.detect(LOADERS, List.of(FAKE_IJAVA), List.of(FAKE_RAPAIO)).orElseThrow();
        assertEquals("fake-ijava", b.name());
        assertTrue(b.canUpdate());
        Display.useBackend(b);
        BufferedImage img = new BufferedImage(4, 3, BufferedImage.TYPE_INT_RGB);
        MimeBundle expected = MimeRenderer.render(img);
        Display.Handle h = Display.showUpdatable(img);
        Display.show(MimeBundle.of(Map.of(MimeBundle.HTML, "<b>t</b>", MimeBundle.TEXT, "t")));
        h.update("step 2");

        assertEquals(3, Statics.CALLS.size());
        Statics.Call first = Statics.CALLS.get(0);
        assertEquals("display", first.kind());
        assertEquals(Map.copyOf(expected.data()), Map.copyOf(first.bundle()));
        assertArrayEquals(new String[0], first.requestedMimes());
        assertEquals(Map.of("text/html", "<b>t</b>", "text/plain", "t"), Map.copyOf(Statics.CALLS.get(1).bundle()));
        Statics.Call update = Statics.CALLS.get(2);
        assertEquals("update", update.kind());
        assertEquals(first.id(), update.id());
        assertEquals(h.id(), update.id());
        assertEquals(Map.of("text/plain", "step 2"), Map.copyOf(update.bundle()));
        assertTrue(Global.CALLS.isEmpty(), "the first matching family wins");
    }

    @Test
    void ijavaLibraryOutsideARunningKernelIsNotDetected() {
        Kernel.instance = null;
        Optional<DisplayBackend> b = KernelDetector.detect(LOADERS, List.of(FAKE_IJAVA), List.of());
        assertTrue(b.isEmpty());
    }

    @Test
    void rapaioGetsMimeFirstAndTheRichestType() {
        DisplayBackend b = KernelDetector.detect(LOADERS, List.of(), List.of(FAKE_RAPAIO)).orElseThrow();
        assertEquals("rapaio", b.name());
        Display.useBackend(b);
        BufferedImage img = new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB);
        Display.Handle h = Display.showUpdatable(img);
        h.update(MimeBundle.of(Map.of(MimeBundle.HTML, "<p>x</p>", MimeBundle.TEXT, "x")));
        Display.show("plain");

        assertEquals(3, Global.CALLS.size());
        assertEquals(new Global.Call("display", h.id(), "image/png", MimeRenderer.render(img).get(MimeBundle.PNG)),
                Global.CALLS.get(0));
        assertEquals(new Global.Call("update", h.id(), "text/html", "<p>x</p>"), Global.CALLS.get(1));
        assertEquals("text/plain", Global.CALLS.get(2).mime());
        assertEquals("plain", Global.CALLS.get(2).value());
    }

    @Test
    void nothingFoundOutsideAKernel() {
        assertTrue(KernelDetector.detect(LOADERS, KernelDetector.IJAVA_FAMILIES, KernelDetector.RAPAIO_FAMILIES)
                .isEmpty(), "no kernel classes on the test class path");
        KernelDetector.RapaioFamily wrongSignature = new KernelDetector.RapaioFamily("x", FAKE + "ijava.Statics");
        assertTrue(KernelDetector.detect(LOADERS, List.of(), List.of(wrongSignature)).isEmpty(),
                "IJava's display(Object, String...) is not rapaio's display(String, Object)");
    }
}
