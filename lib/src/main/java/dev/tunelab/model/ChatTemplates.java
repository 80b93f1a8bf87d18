package dev.tunelab.model;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The chat formats TuneLab renders itself (Jinja templates are not executed): ChatML (Qwen, SmolLM), Llama 3 and a
 * plain "Role: text" fallback. {@link #forTemplate} picks one from tokenizer_config.json's chat_template string.
 */
public final class ChatTemplates {
    private ChatTemplates() {}

    public static ChatTemplate chatMl() {
        return new ChatTemplate() {
            @Override
            public String name() {
                return "chatml";
            }

            @Override
            public String render(List<Message> messages, boolean addGenerationPrompt) {
                StringBuilder sb = new StringBuilder();
                for (Message m : messages) {
                    sb.append("<|im_start|>").append(m.role()).append('\n').append(m.content()).append("<|im_end|>\n");
                }
                if (addGenerationPrompt) {
                    sb.append("<|im_start|>assistant\n");
                }
                return sb.toString();
            }
        };
    }

    public static ChatTemplate llama3() {
        return new ChatTemplate() {
            @Override
            public String name() {
                return "llama3";
            }

            @Override
            public String render(List<Message> messages, boolean addGenerationPrompt) {
                StringBuilder sb = new StringBuilder("<|begin_of_text|>");
                for (Message m : messages) {
                    sb.append("<|start_header_id|>").append(m.role()).append("<|end_header_id|>\n\n")
                            .append(m.content().strip()).append("<|eot_id|>");
                }
                if (addGenerationPrompt) {
                    sb.append("<|start_header_id|>assistant<|end_header_id|>\n\n");
                }
                return sb.toString();
            }
        };
    }

    public static ChatTemplate plain() {
        return new ChatTemplate() {
            @Override
            public String name() {
                return "plain";
            }

            @Override
            public String render(List<Message> messages, boolean addGenerationPrompt) {
                StringBuilder sb = new StringBuilder();
                for (Message m : messages) {
                    String role = m.role().isEmpty() ? "" : Character.toUpperCase(m.role().charAt(0)) + m.role().substring(1);
                    sb.append(role).append(": ").append(m.content()).append('\n');
                }
                if (addGenerationPrompt) {
                    sb.append("Assistant:");
                }
                return sb.toString();
            }
        };
    }

    /** Heuristic choice from a Jinja chat_template string (null → plain). */
    public static ChatTemplate forTemplate(String jinja) {
        if (jinja == null) {
            return plain();
        }
        if (jinja.contains("<|im_start|>")) {
            return chatMl();
        }
        if (jinja.contains("<|start_header_id|>")) {
            return llama3();
        }
        return plain();
    }

    /** From a model folder's tokenizer_config.json. */
    static ChatTemplate forFolder(Path dir) throws IOException {
        Path cfg = dir.resolve("tokenizer_config.json");
        if (!Files.isRegularFile(cfg)) {
            return plain();
        }
        JsonNode t = ConfigJson.read(cfg).get("chat_template");
        if (t != null && t.isArray()) {
            for (JsonNode e : t) {
                if ("default".equals(e.path("name").asText())) {
                    return forTemplate(e.path("template").asText());
                }
            }
            return forTemplate(t.isEmpty() ? null : t.get(0).path("template").asText());
        }
        return forTemplate(t == null || t.isNull() ? null : t.asText());
    }
}
