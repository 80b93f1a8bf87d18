package dev.tunelab.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A local server speaking the Hub's resolve protocol: 302 to a CDN path for large files, X-Repo-Commit, ETag /
 * X-Linked-Etag (sha256 for "LFS" files), Range requests, bearer auth, and one connection dropped mid-file.
 */
class HubClientTest {
    static {
        DjlSetup.ensure();
    }

    static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";
    static final String TOKEN = "hf_secret_value_123";

    @TempDir
    Path tmp;
    HttpServer server;
    Map<String, byte[]> files = new ConcurrentHashMap<>();
    Map<String, Boolean> dropped = new ConcurrentHashMap<>();
    List<String> ranges = new CopyOnWriteArrayList<>();
    List<String> requests = new CopyOnWriteArrayList<>();
    String endpoint;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
        endpoint = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        requests.add(ex.getRequestMethod() + " " + path);
        try (ex) {
            if (path.startsWith("/cdn/")) {
                serveCdn(ex, path.substring(5));
                return;
            }
            String prefix = "/acme/tiny/resolve/main/";
            if (!("Bearer " + TOKEN).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                ex.sendResponseHeaders(401, -1);
                return;
            }
            byte[] body = path.startsWith(prefix) ? files.get(path.substring(prefix.length())) : null;
            if (body == null) {
                ex.sendResponseHeaders(404, -1);
                return;
            }
            String sha = sha256(body);
            ex.getResponseHeaders().add("X-Repo-Commit", COMMIT);
            if (path.endsWith(".safetensors")) {
                ex.getResponseHeaders().add("X-Linked-Etag", "\"" + sha + "\"");
                ex.getResponseHeaders().add("ETag", "W/\"" + sha.substring(0, 40) + "\"");
                ex.getResponseHeaders().add("Location", "/cdn/" + sha);
                ex.sendResponseHeaders(302, -1);
                return;
            }
            ex.getResponseHeaders().add("ETag", "\"" + sha.substring(0, 40) + "\"");
            boolean head = ex.getRequestMethod().equals("HEAD");
            ex.sendResponseHeaders(200, head ? -1 : body.length);
            if (!head) {
                ex.getResponseBody().write(body);
            }
        }
    }

    private void serveCdn(HttpExchange ex, String sha) throws IOException {
        byte[] body = files.values().stream().filter(b -> sha256(b).equals(sha)).findFirst().orElse(null);
        if (body == null) {
            ex.sendResponseHeaders(404, -1);
            return;
        }
        String range = ex.getRequestHeaders().getFirst("Range");
        int from = 0;
        if (range != null) {
            ranges.add(range);
            from = Integer.parseInt(range.substring("bytes=".length(), range.indexOf('-')));
            ex.getResponseHeaders().add("Content-Range", "bytes " + from + "-" + (body.length - 1) + "/" + body.length);
            ex.sendResponseHeaders(206, body.length - from);
        } else {
            ex.sendResponseHeaders(200, body.length);
        }
        OutputStream out = ex.getResponseBody();
        if (dropped.putIfAbsent(sha, true) == null) {
            out.write(body, 0, body.length / 2);
            out.flush();
            // Closing the exchange with bytes missing drops the connection mid-file.
            throw new IOException("simulated connection drop");
        }
        out.write(body, from, body.length - from);
    }

    static String sha256(byte[] b) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(b));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void downloadsIntoHfCacheLayoutResumesAndWorksOffline() throws Exception {
        Path src = tmp.resolve("src");
        try (LanguageModel original = Models.random(LlamaConfig.tiny(300, 32, 64, 1, 4, 2, 64), new ByteTokenizer(), 9)) {
            Models.save(original, src);
            try (Stream<Path> s = Files.list(src)) {
                for (Path f : s.toList()) {
                    files.put(f.getFileName().toString(), Files.readAllBytes(f));
                }
            }
            Path cache = tmp.resolve("hub");
            HubClient client = new HubClient(endpoint, cache, TOKEN, false);
            float[] want;
            float[] got;
            try (LanguageModel lm = Models.fromHub("acme/tiny", "main", client);
                 NDManager m = original.model().manager().newSubManager()) {
                NDArray ids = m.create(new int[] {256, 1, 2, 3}, new Shape(1, 4));
                want = original.model().forward(ids, null, null).toFloatArray();
                got = lm.model().forward(ids, null, null).toFloatArray();
            }
            assertArrayEquals(want, got, 0f);

            Path repo = cache.resolve("models--acme--tiny");
            assertEquals(COMMIT, Files.readString(repo.resolve("refs/main")).strip());
            Path weights = repo.resolve("snapshots/" + COMMIT + "/model.safetensors");
            assertTrue(Files.isSymbolicLink(weights), "snapshot files link to blobs, as huggingface_hub lays them out");
            String sha = sha256(files.get("model.safetensors"));
            assertEquals(Path.of("../../blobs/" + sha), Files.readSymbolicLink(weights));
            assertArrayEquals(files.get("model.safetensors"), Files.readAllBytes(weights));
            int half = files.get("model.safetensors").length / 2;
            assertTrue(ranges.contains("bytes=" + half + "-"), "resumed with a Range request: " + ranges);
            try (Stream<Path> s = Files.list(repo.resolve("blobs"))) {
                assertTrue(s.noneMatch(p -> p.toString().endsWith(".incomplete")));
            }

            // A second client reuses the cache: no CDN download again.
            int before = (int) requests.stream().filter(r -> r.startsWith("GET /cdn/")).count();
            new HubClient(endpoint, cache, TOKEN, false).snapshot("acme/tiny", "main");
            assertEquals(before, requests.stream().filter(r -> r.startsWith("GET /cdn/")).count());

            // Offline: served from the cache even with an unreachable endpoint.
            HubClient offline = new HubClient("http://127.0.0.1:9", cache, null, true);
            assertEquals(weights.getParent(), offline.snapshot("acme/tiny", "main"));
            IOException e = assertThrows(IOException.class, () -> offline.snapshot("acme/other", "main"));
            assertTrue(e.getMessage().contains("HF_HUB_OFFLINE") && e.getMessage().contains("acme/other"), e.getMessage());
        }
    }

    @Test
    void refusesTraversalAndNeverLeaksTheToken() throws Exception {
        files.put("config.json", "{}".getBytes());
        HubClient client = new HubClient(endpoint, tmp.resolve("hub"), TOKEN, false);
        for (String bad : List.of("../../etc/passwd", "/etc/passwd", "a\\..\\b", "sub/../../x")) {
            IOException e = assertThrows(IOException.class, () -> client.download("acme/tiny", "main", bad));
            assertTrue(e.getMessage().contains("path traversal"), e.getMessage());
        }
        assertThrows(IOException.class, () -> client.download("../evil", "main", "config.json"));
        HubClient wrongToken = new HubClient(endpoint, tmp.resolve("hub"), "hf_wrong_token", false);
        IOException e = assertThrows(IOException.class, () -> wrongToken.download("acme/tiny", "main", "config.json"));
        assertTrue(e.getMessage().contains("HF_TOKEN") && e.getMessage().contains("401"), e.getMessage());
        assertFalse(e.getMessage().contains("hf_wrong_token"), "token must not appear in messages");
        IOException missing = assertThrows(IOException.class,
                () -> client.download("acme/tiny", "main", "nothing.json"));
        assertTrue(missing instanceof java.io.FileNotFoundException, missing.toString());
    }
}
