package dev.tunelab.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The dataset cache at {@code <root>/datasets/<folder>/<file>}. A present file is verified against the recipe's
 * sha256 (a mismatch is an error, never used); a missing one is downloaded from the recipe's URL to a temp file,
 * extracted when it sits in a zip, verified, then renamed into place.
 */
public final class DatasetCache {
    private final Path root;
    private final Map<Path, String> verified = new HashMap<>();
    /** Parsed datasets by recipe name: a Dataset is immutable, so loading a recipe twice can share one. */
    private final Map<Recipe, java.lang.ref.SoftReference<Dataset>> loaded = new java.util.concurrent.ConcurrentHashMap<>();

    public DatasetCache(Path root) {
        this.root = root;
    }

    public Path root() {
        return root;
    }

    public Path path(Recipe recipe, String fileName) {
        return root.resolve("datasets").resolve(recipe.folder()).resolve(fileName);
    }

    public Dataset get(String name) {
        return load(Datasets.recipe(name));
    }

    /** Every file of the recipe present and verified (downloading missing ones). */
    public List<Path> ensure(Recipe recipe) {
        List<Path> paths = new ArrayList<>();
        for (Recipe.RecipeFile f : recipe.files()) {
            paths.add(ensure(recipe, f.name()));
        }
        return paths;
    }

    public synchronized Path ensure(Recipe recipe, String fileName) {
        Recipe.RecipeFile file = recipe.file(fileName);
        if (file.sha256() == null || !file.sha256().matches("[0-9a-f]{64}")) {
            throw new DatasetIntegrityException("recipe " + recipe.name() + " has no valid sha256 for " + fileName);
        }
        Path target = path(recipe, fileName);
        if (Files.isRegularFile(target)) {
            verify(target, file.sha256());
            return target;
        }
        if (file.url() == null) {
            throw new DatasetIntegrityException(fileName + " of dataset " + recipe.name() + " is missing at " + target
                    + " and cannot be downloaded as such: it is derived from " + file.upstream()
                    + " (see the recipe's derivation). Place the file there (sha256 " + file.sha256() + ").");
        }
        download(file, target);
        return target;
    }

    private void verify(Path path, String expected) {
        if (expected.equals(verified.get(path))) {
            return;
        }
        String actual = Downloader.sha256(path);
        if (!actual.equals(expected)) {
            throw new DatasetIntegrityException("sha256 mismatch for " + path + ": expected " + expected + ", found "
                    + actual + ". The file is corrupt or a different version; delete it to download it again.");
        }
        verified.put(path, expected);
    }

    private void download(Recipe.RecipeFile file, Path target) {
        Path dir = target.getParent();
        Path fetched = null;
        Path extracted = null;
        try {
            fetched = Downloader.fetch(file.url(), dir);
            Path candidate = fetched;
            if (file.archiveEntry() != null) {
                extracted = Downloader.extract(fetched, file.archiveEntry(), dir);
                candidate = extracted;
            }
            String actual = Downloader.sha256(candidate);
            if (!actual.equals(file.sha256())) {
                throw new DatasetIntegrityException("sha256 mismatch for " + file.name() + " downloaded from "
                        + file.url() + ": expected " + file.sha256() + ", found " + actual + "; nothing was saved");
            }
            Downloader.moveAtomically(candidate, target);
            verified.put(target, file.sha256());
        } catch (IOException e) {
            throw new DatasetIntegrityException("cannot download " + file.name() + " from " + file.url() + ": "
                    + e.getMessage(), e);
        } finally {
            deleteQuietly(fetched);
            deleteQuietly(extracted);
        }
    }

    private static void deleteQuietly(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // a leftover .part file is harmless and is never read as data
            }
        }
    }

    /** Reads the recipe's files (ensuring each) with its parser settings and sets its roles. */
    public Dataset load(Recipe recipe) {
        java.lang.ref.SoftReference<Dataset> ref = loaded.get(recipe);
        Dataset cached = ref == null ? null : ref.get();
        if (cached != null) {
            return cached;
        }
        Dataset d = parse(recipe);
        loaded.put(recipe, new java.lang.ref.SoftReference<>(d));
        return d;
    }

    private Dataset parse(Recipe recipe) {
        Recipe.Parser p = recipe.parser();
        List<String> files = p.files().isEmpty() ? recipe.files().stream().map(Recipe.RecipeFile::name).toList()
                : p.files();
        List<Dataset> parts = new ArrayList<>();
        for (String f : files) {
            Path path = ensure(recipe, f);
            DatasetReader reader = Dataset.reader(path).optFormat(p.format());
            if (p.header() != null) {
                reader.optHeader(p.header());
            }
            if (p.columns() != null) {
                reader.optColumns(p.columns().toArray(String[]::new));
            }
            reader.optRequiredFields(p.required().toArray(String[]::new));
            Dataset d = reader.read();
            if (p.sourceColumn() != null) {
                String stem = f.contains(".") ? f.substring(0, f.lastIndexOf('.')) : f;
                d = d.withColumn(p.sourceColumn(), row -> stem);
            }
            parts.add(d);
        }
        Dataset d = parts.size() == 1 ? parts.get(0) : Dataset.concat(parts);
        for (Map.Entry<String, Map<String, String>> e : p.values().entrySet()) {
            String col = e.getKey();
            Map<String, String> map = e.getValue();
            d = d.withColumn(col, row -> {
                String v = row.get(col);
                String mapped = map.get(v.strip());
                if (mapped == null) {
                    throw new DataFormatException(row.get(Dataset.ID) + ": value '" + v + "' of column '" + col
                            + "' is not one of " + map.keySet());
                }
                return mapped;
            });
        }
        for (Map.Entry<String, String> e : p.roles().entrySet()) {
            d = d.withRole(Role.valueOf(e.getKey().toUpperCase(java.util.Locale.ROOT)), e.getValue());
        }
        return d.named(recipe.name());
    }
}
