package dev.tunelab.notebook.fakekernel.ijava;

/** Same accessor as IJava/JJava's RenderContext. */
public class RenderContext {
    private final DisplayData out;

    public RenderContext(DisplayData out) {
        this.out = out;
    }

    public DisplayData getOutputContainer() {
        return out;
    }
}
