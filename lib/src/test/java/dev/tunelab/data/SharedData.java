package dev.tunelab.data;

import java.nio.file.Path;

/** Test access to the real datasets beside the repository (../shared), used as the dataset cache root. */
final class SharedData {
    private SharedData() {}

    static Path root() {
        return Path.of(System.getProperty("tunelab.repo", ".."), "..", "shared").toAbsolutePath().normalize();
    }

    static Path datasets() {
        return root().resolve("datasets");
    }

    static DatasetCache cache() {
        return Datasets.withCache(root());
    }
}
