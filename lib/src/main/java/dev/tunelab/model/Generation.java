package dev.tunelab.model;

/** One generated continuation: its text, the prompt's ids, the new ids, and why it stopped. */
public record Generation(String text, int[] promptIds, int[] generatedIds, String finishReason, double millis) {}
