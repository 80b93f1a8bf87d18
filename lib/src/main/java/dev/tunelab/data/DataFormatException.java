package dev.tunelab.data;

/** A row of an input file that cannot be read; the message names the file, the line and (when known) the field. */
public class DataFormatException extends RuntimeException {
    private final String file;
    private final long line;
    private final String field;

    public DataFormatException(String file, long line, String field, String reason) {
        super(file + ":" + line + (field == null ? "" : " (field '" + field + "')") + ": " + reason);
        this.file = file;
        this.line = line;
        this.field = field;
    }

    public DataFormatException(String message) {
        super(message);
        this.file = null;
        this.line = -1;
        this.field = null;
    }

    public String file() {
        return file;
    }

    public long line() {
        return line;
    }

    /** null when the problem is not tied to one field. */
    public String field() {
        return field;
    }

    BadRow toBadRow() {
        return new BadRow(file, line, field, getMessage());
    }
}
