package dev.tunelab.data;

/** A row skipped while loading (with {@code optSkipBadRows(true)}): where it was and why. */
public record BadRow(String file, long line, String field, String reason) {}
