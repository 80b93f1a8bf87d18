package dev.tunelab.model;

import java.util.List;

/** Renders chat messages into the prompt format a model was trained on. */
public interface ChatTemplate {
    record Message(String role, String content) {}

    String name();

    /** With {@code addGenerationPrompt} the text ends where the assistant's answer begins. */
    String render(List<Message> messages, boolean addGenerationPrompt);
}
