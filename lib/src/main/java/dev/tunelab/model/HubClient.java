package dev.tunelab.model;

import com.fasterxml.jackson.databind.JsonNode;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Downloads model files from the Hugging Face Hub into the cache layout Python's huggingface_hub uses, so either
 * side reuses the other's downloads:
 * {@code <cache>/models--org--name/{blobs/<etag>, refs/<revision>, snapshots/<commit>/<file> -> ../../blobs/<etag>}}.
 * Honours HF_HOME / HF_HUB_CACHE, HF_ENDPOINT, HF_TOKEN (sent as a bearer token, never printed) and HF_HUB_OFFLINE.
 * Interrupted downloads resume from {@code blobs/<etag>.incomplete} with an HTTP Range request.
 */
public final class HubClient {
    private static final Pattern REPO_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?");
    private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final List<String> OPTIONAL = List.of("generation_config.json", "tokenizer.json",
            "tokenizer_config.json", "special_tokens_map.json");

    private final String endpoint;
    private final Path cache;
    private final String token;
    private final boolean offline;
    private final OkHttpClient http;
    private final OkHttpClient noRedirects;

    /** Configured from the environment, like huggingface_hub. */
    public HubClient() {
        this(env("HF_ENDPOINT", "https://huggingface.co"), defaultCache(), System.getenv("HF_TOKEN"),
                isTrue(System.getenv("HF_HUB_OFFLINE")));
    }

    public HubClient(String endpoint, Path cache, String token, boolean offline) {
        this.endpoint = endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint;
        this.cache = cache;
        this.token = token == null || token.isBlank() ? null : token.strip();
        this.offline = offline;
        this.http = new OkHttpClient.Builder().connectTimeout(Duration.ofSeconds(20)).readTimeout(Duration.ofSeconds(60))
                .followRedirects(true).build();
        this.noRedirects = http.newBuilder().followRedirects(false).build();
    }

    /** $HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub. */
    public static Path defaultCache() {
        String hubCache = System.getenv("HF_HUB_CACHE");
        if (hubCache != null && !hubCache.isBlank()) {
            return Path.of(hubCache);
        }
        String home = System.getenv("HF_HOME");
        if (home != null && !home.isBlank()) {
            return Path.of(home, "hub");
        }
        return Path.of(System.getProperty("user.home"), ".cache", "huggingface", "hub");
    }

    public Path cache() {
        return cache;
    }

    /** The folder of a repository in the cache: models--org--name. */
    public Path repoFolder(String repoId) throws IOException {
        if (!REPO_ID.matcher(repoId).matches() || repoId.contains("..")) {
            throw new IOException("invalid repository id '" + repoId + "' (expected org/name)");
        }
        return cache.resolve("models--" + repoId.replace("/", "--"));
    }

    /**
     * Everything a model needs (config, tokenizer files, safetensors weights, sharded or not) for {@code revision};
     * returns the snapshot folder.
     */
    public Path snapshot(String repoId, String revision) throws IOException {
        Path config = download(repoId, revision, "config.json");
        Path snapshot = config.getParent();
        for (String f : OPTIONAL) {
            tryDownload(repoId, revision, f);
        }
        if (tryDownload(repoId, revision, "model.safetensors") == null) {
            Path index = tryDownload(repoId, revision, "model.safetensors.index.json");
            if (index == null) {
                throw new IOException(repoId + "@" + revision + " has no model.safetensors or"
                        + " model.safetensors.index.json (pickle .bin checkpoints are refused: they can run arbitrary"
                        + " code; convert the model to safetensors)");
            }
            JsonNode map = ConfigJson.read(index).get("weight_map");
            if (map == null || !map.isObject()) {
                throw new IOException(index + ": missing object 'weight_map'");
            }
            Set<String> shards = new LinkedHashSet<>();
            map.fields().forEachRemaining(e -> shards.add(e.getValue().asText()));
            for (String shard : shards) {
                download(repoId, revision, shard);
            }
        }
        return snapshot;
    }

    private Path tryDownload(String repoId, String revision, String file) throws IOException {
        try {
            return download(repoId, revision, file);
        } catch (FileNotFoundException e) {
            return null;
        }
    }

    /** One file of a repository at {@code revision} (branch, tag or commit); FileNotFoundException when absent. */
    public Path download(String repoId, String revision, String file) throws IOException {
        String name = Safetensors.safeFileName(file, repoId);
        Path repo = repoFolder(repoId);
        if (offline) {
            return cached(repo, repoId, revision, name);
        }
        Metadata meta = metadata(repoId, revision, name);
        Path blob = repo.resolve("blobs").resolve(meta.etag);
        if (!Files.isRegularFile(blob)) {
            fetch(meta.url, blob, meta.etag);
        }
        Path snapshotFile = repo.resolve("snapshots").resolve(meta.commit).resolve(name);
        link(blob, snapshotFile);
        if (!revision.equals(meta.commit)) {
            Path ref = repo.resolve("refs").resolve(revision);
            Files.createDirectories(ref.getParent());
            Path tmp = AtomicFiles.tempFor(ref);
            Files.writeString(tmp, meta.commit);
            AtomicFiles.move(tmp, ref);
        }
        return snapshotFile;
    }

    private Path cached(Path repo, String repoId, String revision, String name) throws IOException {
        String commit = revision;
        if (!COMMIT.matcher(revision).matches()) {
            Path ref = repo.resolve("refs").resolve(revision);
            if (!Files.isRegularFile(ref)) {
                throw new IOException("HF_HUB_OFFLINE is set and " + repoId + "@" + revision + " is not in the cache "
                        + cache + " (download it once online, or with Python's huggingface_hub)");
            }
            commit = Files.readString(ref).strip();
        }
        Path f = repo.resolve("snapshots").resolve(commit).resolve(name);
        if (!Files.exists(f)) {
            throw new FileNotFoundException("HF_HUB_OFFLINE is set and " + name + " of " + repoId + "@" + revision
                    + " is not in the cache " + cache);
        }
        return f;
    }

    private record Metadata(String url, String commit, String etag) {}

    private Metadata metadata(String repoId, String revision, String name) throws IOException {
        String url = endpoint + "/" + repoId + "/resolve/" + URLEncoder.encode(revision, StandardCharsets.UTF_8) + "/"
                + name;
        Request req = authorized(new Request.Builder().url(url).head().header("Accept-Encoding", "identity")).build();
        try (Response r = noRedirects.newCall(req).execute()) {
            check(r, repoId, name);
            String commit = r.header("X-Repo-Commit");
            String etag = r.header("X-Linked-Etag", r.header("ETag"));
            if (commit == null || etag == null) {
                throw new IOException(endpoint + " did not send X-Repo-Commit/ETag for " + repoId + "/" + name
                        + " (is HF_ENDPOINT a Hugging Face Hub?)");
            }
            etag = etag.replaceFirst("^W/", "").replace("\"", "");
            if (!COMMIT.matcher(commit).matches() || !etag.matches("[A-Za-z0-9-]{1,128}")) {
                throw new IOException(endpoint + " sent a malformed commit or ETag for " + repoId + "/" + name);
            }
            return new Metadata(url, commit, etag);
        }
    }

    private void fetch(String url, Path blob, String etag) throws IOException {
        Files.createDirectories(blob.getParent());
        Path partial = blob.resolveSibling(etag + ".incomplete");
        IOException last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            long have = Files.exists(partial) ? Files.size(partial) : 0;
            Request.Builder rb = authorized(new Request.Builder().url(url).header("Accept-Encoding", "identity"));
            if (have > 0) {
                rb.header("Range", "bytes=" + have + "-");
            }
            try (Response r = http.newCall(rb.build()).execute()) {
                if (r.code() == 416) { // we already have every byte
                    break;
                }
                check(r, url, blob.getFileName().toString());
                boolean append = r.code() == 206;
                ResponseBody body = r.body();
                if (body == null) {
                    throw new IOException("empty response for " + url);
                }
                try (InputStream in = body.byteStream();
                     OutputStream out = Files.newOutputStream(partial, StandardOpenOption.CREATE,
                             append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING,
                             StandardOpenOption.WRITE)) {
                    in.transferTo(out);
                }
                last = null;
                break;
            } catch (FileNotFoundException | HttpStatusException e) {
                throw e;
            } catch (IOException e) {
                last = e; // connection dropped: resume from what we have
            }
        }
        if (last != null) {
            throw new IOException("download of " + url + " failed after retries: " + last.getMessage(), last);
        }
        if (SHA256.matcher(etag).matches()) {
            String actual = sha256(partial);
            if (!actual.equals(etag)) {
                Files.deleteIfExists(partial);
                throw new IOException("download of " + url + " is corrupt: sha256 " + actual + " != ETag " + etag);
            }
        }
        AtomicFiles.move(partial, blob);
    }

    private static void link(Path blob, Path snapshotFile) throws IOException {
        Files.createDirectories(snapshotFile.getParent());
        if (Files.exists(snapshotFile)) {
            return;
        }
        Files.deleteIfExists(snapshotFile); // a dangling link
        try {
            Files.createSymbolicLink(snapshotFile, snapshotFile.getParent().relativize(blob));
        } catch (UnsupportedOperationException | IOException e) {
            Path tmp = AtomicFiles.tempFor(snapshotFile);
            Files.copy(blob, tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            AtomicFiles.move(tmp, snapshotFile);
        }
    }

    private Request.Builder authorized(Request.Builder b) {
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return b.header("User-Agent", "tunelab/0.1");
    }

    private void check(Response r, String what, String file) throws IOException {
        int c = r.code();
        if (c == 404) {
            throw new FileNotFoundException(what + ": " + file + " not found on " + endpoint);
        }
        if (c == 401 || c == 403) {
            throw new HttpStatusException(what + ": access to " + file + " denied (HTTP " + c + "); gated or private"
                    + " repositories need HF_TOKEN" + (token == null ? " (not set)" : " (set, but not accepted)"));
        }
        if (c >= 400) {
            throw new HttpStatusException(what + ": HTTP " + c + " for " + file + " from " + endpoint);
        }
    }

    /** An HTTP error status: retrying will not help. */
    private static final class HttpStatusException extends IOException {
        HttpStatusException(String message) {
            super(message);
        }
    }

    static String sha256(Path f) throws IOException {
        try (InputStream in = Files.newInputStream(f)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }

    private static boolean isTrue(String v) {
        return v != null && Set.of("1", "true", "yes", "on").contains(v.strip().toLowerCase(Locale.ROOT));
    }
}
