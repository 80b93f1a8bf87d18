package dev.tunelab.track;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * A W&amp;B API key. It only leaves this object as an HTTP basic-auth header value; {@link #toString()} is masked so
 * that the key cannot end up in logs, reports or exception messages by accident.
 */
public final class ApiKey {
    private final String key;

    private ApiKey(String key) {
        this.key = key;
    }

    public static ApiKey of(String key) {
        if (key == null || key.isBlank()) {
            throw new IllegalArgumentException("the W&B API key is empty");
        }
        if (key.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("the W&B API key contains whitespace (check WANDB_API_KEY or ~/.netrc)");
        }
        return new ApiKey(key);
    }

    /** "Basic base64(api:KEY)", the header W&amp;B expects. */
    String basicAuthorization() {
        return "Basic " + Base64.getEncoder().encodeToString(("api:" + key).getBytes(StandardCharsets.UTF_8));
    }

    /** Removes any occurrence of the key (plain or in its basic-auth form) from a message. */
    String redact(String message) {
        if (message == null) {
            return null;
        }
        String b64 = basicAuthorization().substring("Basic ".length());
        return message.replace(key, "***").replace(b64, "***");
    }

    @Override
    public String toString() {
        return "ApiKey[***]";
    }
}
