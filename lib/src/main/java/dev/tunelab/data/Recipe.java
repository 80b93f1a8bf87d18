package dev.tunelab.data;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Where a dataset comes from and how to read it: original URL(s), sha256 of every file, licence, attribution and the
 * parser settings. Recipes are JSON files in the repository's {@code datasets/} folder, also on the classpath under
 * {@code dev/tunelab/datasets/}.
 *
 * @param folder     the cache sub-folder: files live at {@code <cacheRoot>/datasets/<folder>/<file>}
 * @param derivation how the cached files relate to the upstream ones (null when unchanged)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Recipe(String name, String folder, String title, TaskType task, String homepage, String license,
                     String licenseUrl, String attribution, String derivation, List<RecipeFile> files,
                     Parser parser) {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    public Recipe {
        files = files == null ? List.of() : List.copyOf(files);
        folder = folder == null ? name : folder;
    }

    /**
     * One file of the dataset.
     *
     * @param url          where to download it, or the archive holding it; null when the file is derived and cannot
     *                     be downloaded as such (then {@code upstream} names the source)
     * @param archiveEntry the entry inside the zip at {@code url}, null when {@code url} is the file itself
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record RecipeFile(String name, String sha256, String url, String archiveEntry, String upstream) {}

    /**
     * How to read the files: a {@link FileFormat}, CSV/TSV header and column names, required fields, value
     * renames per column (e.g. label "0" → "negative"), an optional column holding the source file's stem, and
     * role → column.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Parser(FileFormat format, Boolean header, List<String> columns, List<String> required,
                         String sourceColumn, Map<String, Map<String, String>> values, Map<String, String> roles,
                         List<String> files) {
        public Parser {
            columns = columns == null ? null : List.copyOf(columns);
            required = required == null ? List.of() : List.copyOf(required);
            values = values == null ? Map.of() : Map.copyOf(values);
            roles = roles == null ? Map.of() : Map.copyOf(roles);
            files = files == null ? List.of() : List.copyOf(files);
        }
    }

    public RecipeFile file(String fileName) {
        return files.stream().filter(f -> f.name().equals(fileName)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("recipe " + name + " has no file " + fileName));
    }

    public static Recipe fromJson(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return fromJson(in, file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read recipe " + file, e);
        }
    }

    static Recipe fromJson(InputStream in, String where) {
        try {
            Recipe r = MAPPER.readValue(in, Recipe.class);
            if (r.name() == null || r.parser() == null || r.files().isEmpty()) {
                throw new DataFormatException("recipe " + where + " needs name, files and parser");
            }
            return r;
        } catch (IOException e) {
            throw new DataFormatException("invalid recipe " + where + ": " + e.getMessage());
        }
    }
}
