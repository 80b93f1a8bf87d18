package dev.tunelab.notebook.fakekernel.ijava;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Fake IJava-family notebook statics with the real signatures; records what a kernel would publish. */
public final class Statics {
    public record Call(String kind, String id, Map<String, Object> bundle, String[] requestedMimes) {}

    public static final List<Call> CALLS = new ArrayList<>();
    private static int next;

    private Statics() {}

    public static String display(Object value, String... mimes) {
        String id = "ijava-" + (++next);
        CALLS.add(new Call("display", id, renderLikeAKernel(value), mimes));
        return id;
    }

    public static void updateDisplay(String id, Object value, String... mimes) {
        CALLS.add(new Call("update", id, renderLikeAKernel(value), mimes));
    }

    /** What IJava's Renderer does first: a DisplayDataRenderable renders itself into a fresh DisplayData. */
    private static Map<String, Object> renderLikeAKernel(Object value) {
        DisplayData out = new DisplayData();
        if (value instanceof DisplayDataRenderable r) {
            r.getPreferredRenderTypes();
            r.render(new RenderContext(out));
        } else {
            out.putData("text/plain", String.valueOf(value));
        }
        return out.data;
    }
}
