package dev.tunelab.notebook;

import java.lang.reflect.Method;

/**
 * rapaio-jupyter-kernel, reached by reflection: {@code Global.display(String mime, Object value)} (note the order,
 * the reverse of IJava's) and {@code Global.updateDisplay(String id, String mime, Object value)}. A String value is
 * sent as the data of that MIME type unchanged, so we pass base64 PNG or HTML text directly. rapaio shows one MIME
 * type per output: we send the richest one of the bundle.
 */
final class RapaioBackend implements DisplayBackend {
    private final Method display;
    private final Method update;

    RapaioBackend(Method display, Method update) {
        this.display = display;
        this.update = update;
    }

    @Override
    public String name() {
        return "rapaio";
    }

    @Override
    public String display(MimeBundle bundle) {
        String mime = bundle.richest();
        Object id = IJavaFamilyBackend.Reflect.invokeStatic(display, mime, bundle.get(mime));
        return id == null ? null : id.toString();
    }

    @Override
    public boolean canUpdate() {
        return update != null;
    }

    @Override
    public void update(String displayId, MimeBundle bundle) {
        if (update == null) {
            throw new UnsupportedOperationException("this rapaio kernel has no updateDisplay(id, mime, value)");
        }
        String mime = bundle.richest();
        IJavaFamilyBackend.Reflect.invokeStatic(update, displayId, mime, bundle.get(mime));
    }
}
