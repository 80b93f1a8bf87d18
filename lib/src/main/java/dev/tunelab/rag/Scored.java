package dev.tunelab.rag;

/** An id with a score (higher is better), the common currency of retrievers and fusion. */
public record Scored(String id, double score) {}
