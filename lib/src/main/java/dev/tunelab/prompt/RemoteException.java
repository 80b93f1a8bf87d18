package dev.tunelab.prompt;

/** A remote call that failed for good (after retries, or not retryable). The message never contains the API key. */
public final class RemoteException extends RuntimeException {
    private final int status;
    private final int attempts;

    RemoteException(String message, int status, int attempts) {
        super(message);
        this.status = status;
        this.attempts = attempts;
    }

    /** HTTP status of the last attempt, or -1 for I/O errors and malformed bodies. */
    public int status() {
        return status;
    }

    public int attempts() {
        return attempts;
    }
}
