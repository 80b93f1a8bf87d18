package dev.tunelab.experiment;

/** An experiment spec is invalid; the message names the file and the field path (e.g. {@code strategies[2].r}). */
public final class SpecException extends IllegalArgumentException {
    private final String field;

    public SpecException(String source, String field, String problem) {
        super((source == null ? "" : source + ": ") + field + ": " + problem);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
