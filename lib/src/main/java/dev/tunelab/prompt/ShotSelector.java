package dev.tunelab.prompt;

import dev.tunelab.data.Example;

import java.util.List;

/**
 * Chooses the demonstrations of a few-shot prompt. {@link #fit} receives the pool (the split's train part) once, in
 * the strategy's prepare(); {@link #select} is called per query and returns at most {@code k} pool examples, never
 * the query itself (matched by id), in the order they should appear in the prompt.
 *
 * <p>Implementations here: {@link RandomShotSelector} (seeded), {@link BalancedShotSelector} (equal count per label)
 * and {@link SimilarityShotSelector} (TF-IDF cosine to the query). The rag package adds an embedding-based one.
 */
public interface ShotSelector {
    /** A short name used in strategy names, e.g. "random". */
    default String name() {
        return getClass().getSimpleName();
    }

    void fit(List<Example> pool);

    List<Example> select(Example query, int k);
}
