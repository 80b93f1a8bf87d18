package dev.tunelab.model;

/** Per-layer keys and values kept between generation steps. Implementations belong to each architecture. */
public interface KvCache extends AutoCloseable {
    /** Number of positions already cached. */
    int length();

    @Override
    void close();
}
