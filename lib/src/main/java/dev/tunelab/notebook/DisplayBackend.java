package dev.tunelab.notebook;

/** Where {@link Display} sends a MIME bundle: a Jupyter kernel, a folder of files, or the console. */
public interface DisplayBackend {
    /** A short name for messages, e.g. "rapaio", "jjava", "files:/tmp/out", "console". */
    String name();

    /** Shows the bundle; returns a display id that {@link #update} accepts, or null when updates are unsupported. */
    String display(MimeBundle bundle);

    /** Whether {@link #update} replaces an earlier output in place (Jupyter display ids). */
    boolean canUpdate();

    /** Replaces the output shown under {@code displayId}. */
    void update(String displayId, MimeBundle bundle);
}
