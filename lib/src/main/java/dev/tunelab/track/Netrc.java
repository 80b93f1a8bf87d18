package dev.tunelab.track;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Reads the password of one machine from a ~/.netrc file (the place `wandb login` stores the API key). */
final class Netrc {
    private Netrc() {}

    /** The password of {@code machine} (or of the {@code default} entry); empty when the file or entry is missing. */
    static Optional<String> password(Path netrc, String machine) {
        if (netrc == null || !Files.isRegularFile(netrc)) {
            return Optional.empty();
        }
        String text;
        try {
            text = Files.readString(netrc, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + netrc + ": " + e.getClass().getSimpleName());
        }
        String[] tokens = text.replaceAll("(?m)^\\s*#.*$", "").trim().split("\\s+");
        String current = null;
        boolean isDefault = false;
        String found = null, fallback = null;
        for (int i = 0; i < tokens.length; i++) {
            switch (tokens[i]) {
                case "machine" -> {
                    current = i + 1 < tokens.length ? tokens[++i] : null;
                    isDefault = false;
                }
                case "default" -> {
                    current = null;
                    isDefault = true;
                }
                case "login", "account", "macdef" -> i++;
                case "password" -> {
                    String value = i + 1 < tokens.length ? tokens[++i] : null;
                    if (machine.equals(current) && found == null) {
                        found = value;
                    } else if (isDefault && fallback == null) {
                        fallback = value;
                    }
                }
                default -> { }
            }
        }
        return Optional.ofNullable(found != null ? found : fallback);
    }
}
