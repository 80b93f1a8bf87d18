package dev.tunelab.notebook.fakekernel.rapaio;

import java.util.ArrayList;
import java.util.List;

/** Fake rapaio Global with the real signatures (mime first, then value). */
public final class Global {
    public record Call(String kind, String id, String mime, Object value) {}

    public static final List<Call> CALLS = new ArrayList<>();
    private static int next;

    private Global() {}

    public static String display(Object value) {
        throw new AssertionError("TuneLab must call display(mime, value)");
    }

    public static String display(String mime, Object value) {
        String id = "rapaio-" + (++next);
        CALLS.add(new Call("display", id, mime, value));
        return id;
    }

    public static void updateDisplay(String id, String mime, Object value) {
        CALLS.add(new Call("update", id, mime, value));
    }
}
