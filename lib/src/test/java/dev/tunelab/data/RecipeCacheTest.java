package dev.tunelab.data;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Recipes on the classpath, sha256 verification of the cache, and the real download path against a local server. */
class RecipeCacheTest {
    @TempDir
    Path tmp;
    private HttpServer server;
    private final Map<String, byte[]> served = new HashMap<>();
    private final AtomicInteger requests = new AtomicInteger();

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void everyRecipeIsOnTheClasspathWithLicenceAndVerifiedHashes() throws IOException {
        assertEquals(List.of("sentiment-uci", "medquad", "medquad-eval", "covid-faq", "instructions-alpaca"),
                Datasets.names());
        for (String name : Datasets.names()) {
            Recipe r = Datasets.recipe(name);
            assertTrue(r.license() != null && r.attribution() != null && r.homepage() != null, name);
            // the repository copy and the classpath copy are the same recipe
            assertEquals(r, Recipe.fromJson(Path.of(System.getProperty("tunelab.repo"), "datasets", name + ".json")));
            for (Recipe.RecipeFile f : r.files()) {
                Path p = SharedData.cache().ensure(r, f.name());
                assertEquals(SharedData.datasets().resolve(r.folder()).resolve(f.name()), p);
                assertEquals(f.sha256(), Downloader.sha256(p));
                assertTrue(f.url() != null || f.upstream() != null, f.name());
            }
        }
        assertThrows(IllegalArgumentException.class, () -> Datasets.recipe("no-such-set"));
    }

    @Test
    void aCorruptCachedFileIsRejected() throws IOException {
        Recipe r = Datasets.recipe("covid-faq");
        DatasetCache cache = new DatasetCache(tmp);
        Path target = cache.path(r, "faq_covidbert_cdc_only.jsonl");
        Files.createDirectories(target.getParent());
        byte[] bytes = Files.readAllBytes(SharedData.datasets().resolve("covid-faq-cdc/faq_covidbert_cdc_only.jsonl"));
        bytes[100] ^= 1;
        Files.write(target, bytes);
        DatasetIntegrityException e = assertThrows(DatasetIntegrityException.class, () -> cache.get("covid-faq"));
        assertTrue(e.getMessage().contains("sha256 mismatch for " + target), e.getMessage());
        Files.delete(target);
        DatasetIntegrityException missing = assertThrows(DatasetIntegrityException.class, () -> cache.get("covid-faq"));
        assertTrue(missing.getMessage().contains("derived from https://github.com/deepset-ai/COVID-QA"),
                missing.getMessage());
    }

    @Test
    void downloadsAPlainFileVerifiesAndRenames() throws IOException {
        byte[] bytes = Files.readAllBytes(SharedData.datasets().resolve("instructions-rasbt/instruction-data.json"));
        served.put("/rasbt/instruction-data.json", bytes);
        String base = start();
        Recipe builtin = Datasets.recipe("instructions-alpaca");
        Recipe.RecipeFile f = builtin.files().get(0);
        Recipe local = withFiles(builtin, List.of(new Recipe.RecipeFile(f.name(), f.sha256(),
                base + "/rasbt/instruction-data.json", null, null)));
        DatasetCache cache = new DatasetCache(tmp);
        Dataset d = cache.load(local);
        assertEquals(1100, d.size());
        Path target = tmp.resolve("datasets/instructions-rasbt/instruction-data.json");
        assertEquals(f.sha256(), Downloader.sha256(target));
        assertEquals(1, requests.get());
        cache.ensure(local, f.name()); // present and verified: no second request
        assertEquals(1, requests.get());
        try (var files = Files.list(target.getParent())) {
            assertEquals(List.of(target), files.toList()); // no temp files left
        }
    }

    @Test
    void wrongBytesFromTheServerAreNeverSaved() throws IOException {
        served.put("/bad.json", "[{\"instruction\": \"x\", \"output\": \"y\"}]".getBytes());
        String base = start();
        Recipe builtin = Datasets.recipe("instructions-alpaca");
        Recipe local = withFiles(builtin, List.of(new Recipe.RecipeFile("instruction-data.json",
                builtin.files().get(0).sha256(), base + "/bad.json", null, null)));
        DatasetIntegrityException e = assertThrows(DatasetIntegrityException.class,
                () -> new DatasetCache(tmp).load(local));
        assertTrue(e.getMessage().contains("sha256 mismatch") && e.getMessage().contains("nothing was saved"),
                e.getMessage());
        Path dir = tmp.resolve("datasets/instructions-rasbt");
        try (var files = Files.list(dir)) {
            assertEquals(0, files.count());
        }
        Recipe missing = withFiles(builtin, List.of(new Recipe.RecipeFile("instruction-data.json",
                builtin.files().get(0).sha256(), base + "/nothing-here", null, null)));
        DatasetIntegrityException notFound = assertThrows(DatasetIntegrityException.class,
                () -> new DatasetCache(tmp).load(missing));
        assertTrue(notFound.getMessage().contains("HTTP 404"), notFound.getMessage());
    }

    @Test
    void extractsBothSentimentFilesFromTheZip() throws IOException {
        ByteArrayOutputStream zip = new ByteArrayOutputStream();
        try (ZipOutputStream out = new ZipOutputStream(zip)) {
            for (String n : List.of("imdb_labelled.txt", "yelp_labelled.txt", "readme.txt")) {
                out.putNextEntry(new ZipEntry("__MACOSX/sentiment labelled sentences/._" + n));
                out.write(new byte[]{0, 5, 22, 7});
                out.putNextEntry(new ZipEntry("sentiment labelled sentences/" + n));
                out.write(Files.readAllBytes(SharedData.datasets().resolve("sentiment-uci").resolve(n)));
            }
        }
        served.put("/static/public/331/sentiment+labelled+sentences.zip", zip.toByteArray());
        String base = start();
        Recipe builtin = Datasets.recipe("sentiment-uci");
        List<Recipe.RecipeFile> files = builtin.files().stream().map(f -> new Recipe.RecipeFile(f.name(), f.sha256(),
                f.url().replace("https://archive.ics.uci.edu", base), f.archiveEntry(), null)).toList();
        Dataset d = new DatasetCache(tmp).load(withFiles(builtin, files));
        assertEquals(2000, d.size());
        assertEquals(2, requests.get());
        for (Recipe.RecipeFile f : builtin.files()) {
            assertEquals(f.sha256(), Downloader.sha256(tmp.resolve("datasets/sentiment-uci").resolve(f.name())));
        }
        assertFalse(Files.exists(tmp.resolve("datasets/sentiment-uci/readme.txt")));
    }

    private static Recipe withFiles(Recipe r, List<Recipe.RecipeFile> files) {
        return new Recipe(r.name(), r.folder(), r.title(), r.task(), r.homepage(), r.license(), r.licenseUrl(),
                r.attribution(), r.derivation(), files, r.parser());
    }

    private String start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            requests.incrementAndGet();
            byte[] body = served.get(exchange.getRequestURI().getRawPath().replace("%20", " "));
            if (body == null) {
                exchange.sendResponseHeaders(404, -1);
            } else {
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
            }
            exchange.close();
        });
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }
}
