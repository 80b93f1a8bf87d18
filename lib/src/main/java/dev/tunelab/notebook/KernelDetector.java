package dev.tunelab.notebook;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Finds the Jupyter kernel we are running in, by class name and method signature only: TuneLab has no compile-time
 * dependency on any kernel.
 */
public final class KernelDetector {
    /**
     * An IJava-family kernel: a class with static {@code display(Object, String...)} (and usually
     * {@code updateDisplay}), the kernel's {@code DisplayDataRenderable} interface, and optionally a static no-arg
     * method "Class#method" that returns non-null only inside a running kernel.
     */
    public record IJavaFamily(String name, String staticsClass, String renderableInterface, String liveCheck) {}

    /** A rapaio-style kernel: a class with static {@code display(String mime, Object value)}. */
    public record RapaioFamily(String name, String globalClass) {}

    public static final List<IJavaFamily> IJAVA_FAMILIES = List.of(
            new IJavaFamily("jjava", "org.dflib.jjava.jupyter.kernel.BaseNotebookStatics",
                    "org.dflib.jjava.jupyter.kernel.display.DisplayDataRenderable",
                    "org.dflib.jjava.jupyter.kernel.BaseKernel#notebookKernel"),
            new IJavaFamily("ijava", "io.github.spencerpark.ijava.runtime.Display",
                    "io.github.spencerpark.jupyter.kernel.display.DisplayDataRenderable",
                    "io.github.spencerpark.ijava.IJava#getKernelInstance"));

    public static final List<RapaioFamily> RAPAIO_FAMILIES = List.of(
            new RapaioFamily("rapaio", "org.rapaio.jupyter.kernel.global.Global"));

    private KernelDetector() {}

    /** The kernel backend for this JVM, looked up through the context and TuneLab's class loaders. */
    public static Optional<DisplayBackend> detect() {
        return detect(defaultLoaders(), IJAVA_FAMILIES, RAPAIO_FAMILIES);
    }

    public static Optional<DisplayBackend> detect(List<ClassLoader> loaders, List<IJavaFamily> ijava,
                                                  List<RapaioFamily> rapaio) {
        for (IJavaFamily family : ijava) {
            Optional<DisplayBackend> found = ijava(loaders, family);
            if (found.isPresent()) {
                return found;
            }
        }
        for (RapaioFamily family : rapaio) {
            Optional<Class<?>> global = load(loaders, family.globalClass());
            if (global.isEmpty()) {
                continue;
            }
            Method display = staticMethod(global.get(), "display", String.class, Object.class);
            if (display != null) {
                Method update = staticMethod(global.get(), "updateDisplay", String.class, String.class, Object.class);
                return Optional.of(new RapaioBackend(display, update));
            }
        }
        return Optional.empty();
    }

    private static Optional<DisplayBackend> ijava(List<ClassLoader> loaders, IJavaFamily family) {
        Optional<Class<?>> statics = load(loaders, family.staticsClass());
        Optional<Class<?>> renderable = load(loaders, family.renderableInterface());
        if (statics.isEmpty() || renderable.isEmpty() || !renderable.get().isInterface()) {
            return Optional.empty();
        }
        Method display = staticMethod(statics.get(), "display", Object.class, String[].class);
        if (display == null || !isLive(loaders, family.liveCheck())) {
            return Optional.empty();
        }
        Method update = staticMethod(statics.get(), "updateDisplay", String.class, Object.class, String[].class);
        if (update == null) {
            update = staticMethod(statics.get(), "updateDisplay", String.class, Object.class);
        }
        return Optional.of(new IJavaFamilyBackend(family.name(), display, update, renderable.get()));
    }

    /** A kernel library on the class path of a plain JVM is not a running kernel: ask it, when we know how. */
    private static boolean isLive(List<ClassLoader> loaders, String liveCheck) {
        if (liveCheck == null) {
            return true;
        }
        int hash = liveCheck.indexOf('#');
        Optional<Class<?>> owner = load(loaders, liveCheck.substring(0, hash));
        if (owner.isEmpty()) {
            return false;
        }
        Method m = staticMethod(owner.get(), liveCheck.substring(hash + 1));
        if (m == null) {
            return false;
        }
        try {
            return m.invoke(null) != null;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return false;
        }
    }

    private static Method staticMethod(Class<?> owner, String name, Class<?>... params) {
        try {
            Method m = owner.getMethod(name, params);
            return Modifier.isStatic(m.getModifiers()) ? m : null;
        } catch (NoSuchMethodException | SecurityException | LinkageError e) {
            return null;
        }
    }

    private static Optional<Class<?>> load(List<ClassLoader> loaders, String name) {
        for (ClassLoader loader : loaders) {
            try {
                return Optional.of(Class.forName(name, false, loader));
            } catch (ClassNotFoundException | LinkageError e) {
                // try the next loader
            }
        }
        return Optional.empty();
    }

    static List<ClassLoader> defaultLoaders() {
        Set<ClassLoader> loaders = new LinkedHashSet<>();
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        if (context != null) {
            loaders.add(context);
        }
        loaders.add(KernelDetector.class.getClassLoader());
        return new ArrayList<>(loaders);
    }
}
