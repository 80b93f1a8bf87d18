package dev.tunelab.data;

import dev.tunelab.model.DjlSetup;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The built-in dataset recipes and the cache.
 * <pre>{@code
 * Dataset reviews = Datasets.get("sentiment-uci");                 // text, label (negative/positive), source
 * Dataset qa = Datasets.withCache(Path.of("../shared")).get("medquad-eval");
 * }</pre>
 * The cache root is, in order: {@link #setCacheRoot}, the system property {@code tunelab.cache},
 * {@link DjlSetup#cacheRoot()} ($TUNELAB_CACHE or ~/.cache/tunelab).
 */
public final class Datasets {
    public static final String CACHE_PROPERTY = "tunelab.cache";
    private static final String RESOURCES = "/dev/tunelab/datasets/";
    private static final Map<String, Recipe> RECIPES = new ConcurrentHashMap<>();
    private static final Map<Path, DatasetCache> CACHES = new ConcurrentHashMap<>();
    private static volatile Path override;

    private Datasets() {}

    /** Names of the built-in recipes. */
    public static List<String> names() {
        try (InputStream in = Datasets.class.getResourceAsStream(RESOURCES + "index.txt")) {
            if (in == null) {
                throw new IllegalStateException("dataset recipe index missing from the classpath");
            }
            return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).lines()
                    .map(String::strip).filter(s -> !s.isEmpty()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Recipe recipe(String name) {
        return RECIPES.computeIfAbsent(name, n -> {
            try (InputStream in = Datasets.class.getResourceAsStream(RESOURCES + n + ".json")) {
                if (in == null || !n.matches("[a-z0-9-]+")) {
                    throw new IllegalArgumentException("unknown dataset '" + n + "'; known: " + names());
                }
                return Recipe.fromJson(in, RESOURCES + n + ".json");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** Loads a built-in dataset from the cache (downloading and verifying as needed). */
    public static Dataset get(String name) {
        return cache().get(name);
    }

    public static DatasetCache withCache(Path root) {
        return CACHES.computeIfAbsent(root.toAbsolutePath().normalize(), DatasetCache::new);
    }

    public static DatasetCache cache() {
        return withCache(cacheRoot());
    }

    public static Path cacheRoot() {
        if (override != null) {
            return override;
        }
        String prop = System.getProperty(CACHE_PROPERTY);
        return prop != null && !prop.isBlank() ? Path.of(prop) : DjlSetup.cacheRoot();
    }

    /** Sets the cache root for this JVM (null restores the default). */
    public static void setCacheRoot(Path root) {
        override = root;
    }

    /**
     * MedQuAD without the 1,039 evaluation pairs of "medquad-eval", matched on (source, qid): a corpus safe for
     * training or pretraining when the evaluation questions come from medquad-eval.
     */
    public static Dataset medquadTrainingCorpus(DatasetCache cache) {
        return cache.get("medquad").exclude(cache.get("medquad-eval"), "source", "qid");
    }

    public static Dataset medquadTrainingCorpus() {
        return medquadTrainingCorpus(cache());
    }
}
