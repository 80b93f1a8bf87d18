package dev.tunelab.notebook.fakekernel.ijava;

import java.util.Set;

/** Same shape as IJava/JJava's DisplayDataRenderable (default methods included). */
public interface DisplayDataRenderable {
    default Set<String> getPreferredRenderTypes() {
        return Set.of("*");
    }

    void render(RenderContext context);
}
