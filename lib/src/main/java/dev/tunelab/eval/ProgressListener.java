package dev.tunelab.eval;

/** Receives progress of long steps (embedding a corpus, training, evaluating). */
@FunctionalInterface
public interface ProgressListener {
    ProgressListener NONE = (stage, done, total, message) -> { };

    /** @param total -1 when unknown */
    void progress(String stage, long done, long total, String message);
}
