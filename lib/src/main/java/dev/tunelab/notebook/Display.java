package dev.tunelab.notebook;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The one display helper for notebooks: {@code Display.show(x)} shows charts and images as PNG, tables (and anything
 * with {@code toHtml()}) as HTML, everything else as text, in whichever Java kernel runs the notebook
 * (rapaio-jupyter-kernel, JJava or IJava, found at run time by reflection).
 *
 * <p>Outside a notebook the displays go to files in the folder named by the system property
 * {@value #DIR_PROPERTY} or the environment variable {@value #DIR_ENV}, else text is printed and richer outputs get
 * a one-line note.
 *
 * <pre>{@code
 * Display.show(Charts.metricBars("accuracy", "", scores));   // an inline PNG
 * Display.show(comparison);                                   // an HTML table
 * Display.Handle h = Display.showUpdatable("starting...");    // replace it later with h.update(...)
 * }</pre>
 */
public final class Display {
    public static final String DIR_PROPERTY = "tunelab.display.dir";
    public static final String DIR_ENV = "TUNELAB_DISPLAY_DIR";

    private static volatile DisplayBackend backend;

    private Display() {}

    /** Shows a value in the notebook (or the fallback). */
    public static void show(Object value) {
        backend().display(MimeRenderer.render(value));
    }

    /** Shows a value and returns a handle that replaces this output in place, where the kernel supports it. */
    public static Handle showUpdatable(Object value) {
        DisplayBackend b = backend();
        return new Handle(b, b.display(MimeRenderer.render(value)));
    }

    /** The MIME bundle {@link #show} would send, e.g. to inspect or save it. */
    public static MimeBundle render(Object value) {
        return MimeRenderer.render(value);
    }

    /** Where displays go: "rapaio", "jjava", "ijava", "files:DIR" or "console". */
    public static String backendName() {
        return backend().name();
    }

    public static DisplayBackend backend() {
        DisplayBackend b = backend;
        if (b == null) {
            synchronized (Display.class) {
                if (backend == null) {
                    backend = detectBackend();
                }
                b = backend;
            }
        }
        return b;
    }

    /** Replaces the detected backend (null: detect again on next use). */
    public static synchronized void useBackend(DisplayBackend replacement) {
        backend = replacement;
    }

    /** A running kernel first, then a display folder, then the console. */
    public static DisplayBackend detectBackend() {
        return KernelDetector.detect().orElseGet(Display::fallback);
    }

    static DisplayBackend fallback() {
        String dir = System.getProperty(DIR_PROPERTY);
        if (dir == null || dir.isBlank()) {
            dir = System.getenv(DIR_ENV);
        }
        return dir == null || dir.isBlank() ? new ConsoleBackend(System.out) : new FileBackend(Path.of(dir));
    }

    /** One output that can be replaced; where the backend cannot update, an update shows a new output. */
    public static final class Handle {
        private final DisplayBackend backend;
        private final String id;

        Handle(DisplayBackend backend, String id) {
            this.backend = Objects.requireNonNull(backend);
            this.id = id;
        }

        public void update(Object value) {
            MimeBundle bundle = MimeRenderer.render(value);
            if (id != null && backend.canUpdate()) {
                backend.update(id, bundle);
            } else {
                backend.display(bundle);
            }
        }

        public String id() {
            return id;
        }

        @Override
        public String toString() {
            return "display " + (id == null ? "(not updatable)" : id) + " on " + backend.name();
        }
    }
}
