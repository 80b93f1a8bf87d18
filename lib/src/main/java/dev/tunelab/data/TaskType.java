package dev.tunelab.data;

public enum TaskType {
    /** The target is one of a fixed set of labels. */
    CLASSIFICATION,
    /** The target is free text (question answering, instructions). */
    GENERATION
}
