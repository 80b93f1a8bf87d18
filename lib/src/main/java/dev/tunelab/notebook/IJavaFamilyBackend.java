package dev.tunelab.notebook;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Map;

/**
 * IJava and its fork JJava, reached by reflection: their notebook statics {@code display(Object, String...)} and
 * {@code updateDisplay(String, Object, String...)} render a value through the kernel's renderer. We hand them a
 * dynamic proxy of the kernel's own {@code DisplayDataRenderable} interface whose {@code render(RenderContext)}
 * copies our bundle into {@code context.getOutputContainer().putData(mime, data)}, so the exact MIME bundle
 * reaches the notebook whatever renderers the kernel has.
 */
final class IJavaFamilyBackend implements DisplayBackend {
    private final String name;
    private final Method display;
    private final Method update;
    private final Class<?> renderable;

    IJavaFamilyBackend(String name, Method display, Method update, Class<?> renderable) {
        this.name = name;
        this.display = display;
        this.update = update;
        this.renderable = renderable;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String display(MimeBundle bundle) {
        Object id = Reflect.invokeStatic(display, payload(bundle), new String[0]);
        return id == null ? null : id.toString();
    }

    @Override
    public boolean canUpdate() {
        return update != null;
    }

    @Override
    public void update(String displayId, MimeBundle bundle) {
        if (update == null) {
            throw new UnsupportedOperationException(name + " has no updateDisplay");
        }
        if (update.getParameterCount() == 3) {
            Reflect.invokeStatic(update, displayId, payload(bundle), new String[0]);
        } else {
            Reflect.invokeStatic(update, displayId, payload(bundle));
        }
    }

    /** A proxy of the kernel's DisplayDataRenderable that writes this bundle into the render context's output. */
    Object payload(MimeBundle bundle) {
        InvocationHandler handler = (proxy, method, args) -> {
            switch (method.getName()) {
                case "render" -> {
                    fill(args[0], bundle.data());
                    return null;
                }
                case "toString" -> {
                    return bundle.plainText();
                }
                case "hashCode" -> {
                    return System.identityHashCode(proxy);
                }
                case "equals" -> {
                    return proxy == args[0];
                }
                default -> {
                    if (method.isDefault()) {
                        return InvocationHandler.invokeDefault(proxy, method, args);
                    }
                    throw new UnsupportedOperationException(method.getName());
                }
            }
        };
        return Proxy.newProxyInstance(renderable.getClassLoader(), new Class<?>[] {renderable}, handler);
    }

    private static void fill(Object renderContext, Map<String, String> data) throws ReflectiveOperationException {
        Object container = renderContext.getClass().getMethod("getOutputContainer").invoke(renderContext);
        Method putData = container.getClass().getMethod("putData", String.class, Object.class);
        for (Map.Entry<String, String> e : data.entrySet()) {
            putData.invoke(container, e.getKey(), e.getValue());
        }
    }

    /** Small reflection helpers that unwrap the kernel's own exceptions. */
    static final class Reflect {
        private Reflect() {}

        static Object invokeStatic(Method m, Object... args) {
            try {
                return m.invoke(null, args);
            } catch (InvocationTargetException e) {
                Throwable cause = e.getCause();
                if (cause instanceof RuntimeException re) {
                    throw re;
                }
                throw new IllegalStateException(m.getDeclaringClass().getName() + "." + m.getName() + " failed: "
                        + cause, cause);
            } catch (IllegalAccessException e) {
                throw new IllegalStateException("cannot call " + m + ": " + e.getMessage(), e);
            }
        }
    }
}
