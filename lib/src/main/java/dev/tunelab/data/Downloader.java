package dev.tunelab.data;

import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/** Downloads over HTTP(S) with OkHttp into a temp file beside the target, extracts zip entries, hashes files. */
final class Downloader {
    private static final OkHttpClient CLIENT = new OkHttpClient.Builder()
            .connectTimeout(Duration.ofSeconds(30)).readTimeout(Duration.ofMinutes(5)).build();

    private Downloader() {}

    /** Downloads {@code url} to a new temp file in {@code dir}; the caller moves or deletes it. */
    static Path fetch(String url, Path dir) throws IOException {
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, ".download-", ".part");
        Request request = new Request.Builder().url(url).get().build();
        try (Response response = CLIENT.newCall(request).execute()) {
            ResponseBody body = response.body();
            if (!response.isSuccessful() || body == null) {
                throw new IOException("HTTP " + response.code() + " for " + url);
            }
            try (InputStream in = body.byteStream(); OutputStream out = Files.newOutputStream(tmp)) {
                in.transferTo(out);
            }
            return tmp;
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
    }

    /**
     * Copies one entry of a zip into a new temp file in {@code dir}: the entry named exactly, else one whose path
     * ends with "/" + its file name (outside __MACOSX), as archives are sometimes re-packed under another folder.
     */
    static Path extract(Path zip, String entry, Path dir) throws IOException {
        String base = entry.substring(entry.lastIndexOf('/') + 1);
        Path found = null;
        boolean exact = false;
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
            ZipEntry e;
            while ((e = in.getNextEntry()) != null) {
                String n = e.getName();
                boolean isExact = n.equals(entry);
                boolean isSimilar = !e.isDirectory() && !n.startsWith("__MACOSX/")
                        && (n.equals(base) || n.endsWith("/" + base));
                if (isExact || (isSimilar && found == null)) {
                    if (found != null) {
                        Files.delete(found);
                    }
                    found = Files.createTempFile(dir, ".extract-", ".part");
                    try (OutputStream out = Files.newOutputStream(found)) {
                        in.transferTo(out);
                    }
                    exact = isExact;
                    if (exact) {
                        break;
                    }
                }
            }
        }
        if (found == null) {
            throw new IOException("zip has no entry " + entry);
        }
        return found;
    }

    static String sha256(Path file) {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (IOException e) {
            throw new DatasetIntegrityException("cannot read " + file + ": " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static void moveAtomically(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (java.nio.file.AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
