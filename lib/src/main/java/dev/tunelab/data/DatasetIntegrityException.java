package dev.tunelab.data;

/** A cached or downloaded dataset file whose sha256 is not the recipe's, or that cannot be obtained. */
public class DatasetIntegrityException extends RuntimeException {
    public DatasetIntegrityException(String message) {
        super(message);
    }

    public DatasetIntegrityException(String message, Throwable cause) {
        super(message, cause);
    }
}
