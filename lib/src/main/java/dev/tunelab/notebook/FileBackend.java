package dev.tunelab.notebook;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Outside a notebook: each display becomes a file {@code display-0001.png|.html|.md|.txt} (the richest MIME type of
 * the bundle) in a folder; an update rewrites that file. Files are written to a temporary name and renamed.
 */
public final class FileBackend implements DisplayBackend {
    private final Path dir;
    private final AtomicInteger counter = new AtomicInteger();

    public FileBackend(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    @Override
    public String name() {
        return "files:" + dir;
    }

    @Override
    public String display(MimeBundle bundle) {
        String id = String.format("display-%04d", counter.incrementAndGet());
        write(id, bundle);
        return id;
    }

    @Override
    public boolean canUpdate() {
        return true;
    }

    @Override
    public void update(String displayId, MimeBundle bundle) {
        if (displayId == null || !displayId.matches("display-\\d{4,}")) {
            throw new IllegalArgumentException("not a display id of this folder: " + displayId);
        }
        write(displayId, bundle);
    }

    /** The file a display id was written to (its extension depends on the bundle's richest type). */
    public Path fileFor(String displayId, MimeBundle bundle) {
        return dir.resolve(displayId + extension(bundle.richest()));
    }

    private void write(String id, MimeBundle bundle) {
        String mime = bundle.richest();
        byte[] bytes = mime.equals(MimeBundle.PNG)
                ? Base64.getDecoder().decode(bundle.get(mime))
                : bundle.get(mime).getBytes(StandardCharsets.UTF_8);
        Path target = fileFor(id, bundle);
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, "." + id, ".tmp");
            try {
                Files.write(tmp, bytes);
                try {
                    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write display file " + target + ": " + e.getMessage(), e);
        }
    }

    private static String extension(String mime) {
        return switch (mime) {
            case MimeBundle.PNG -> ".png";
            case MimeBundle.HTML -> ".html";
            case MimeBundle.MARKDOWN -> ".md";
            default -> ".txt";
        };
    }
}
