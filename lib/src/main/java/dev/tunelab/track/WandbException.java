package dev.tunelab.track;

/** A W&amp;B request failed for good; the message names the endpoint and status, never the key. */
public final class WandbException extends RuntimeException {
    private final int status;

    public WandbException(String message, int status) {
        super(message);
        this.status = status;
    }

    /** HTTP status, or -1 for a network failure. */
    public int status() {
        return status;
    }
}
