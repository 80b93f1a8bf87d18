package dev.tunelab.data;

/** What a column means to a task; {@link Dataset#toExamples()} builds {@link Example}s from these. */
public enum Role {
    TEXT, LABEL, QUESTION, ANSWER, CONTEXT, INSTRUCTION, INPUT, OUTPUT;

    /** The lower-case name used in templates and {@link Example#fields()}. */
    public String key() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
