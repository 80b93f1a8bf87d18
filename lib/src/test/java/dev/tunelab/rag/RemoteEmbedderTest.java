package dev.tunelab.rag;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;

/** Against a local JDK HttpServer speaking the OpenAI /embeddings protocol. */
class RemoteEmbedderTest {
    HttpServer server;
    final List<JsonNode> requests = new ArrayList<>();
    final List<String> auth = new ArrayList<>();
    final AtomicInteger status = new AtomicInteger(200);

    /** Embedding of text t: [len(t), 3, 4] (so its norm is known), returned in reverse index order. */
    @BeforeEach
    void start() throws Exception {
        ObjectMapper om = new ObjectMapper();
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/embeddings", ex -> {
            JsonNode body = om.readTree(ex.getRequestBody());
            synchronized (requests) {
                requests.add(body);
                auth.add(ex.getRequestHeaders().getFirst("Authorization"));
            }
            StringBuilder sb = new StringBuilder("{\"object\":\"list\",\"data\":[");
            JsonNode in = body.get("input");
            for (int i = in.size() - 1; i >= 0; i--) {
                sb.append("{\"object\":\"embedding\",\"index\":").append(i).append(",\"embedding\":[")
                        .append(in.get(i).asText().length()).append(",3,4]}").append(i > 0 ? "," : "");
            }
            sb.append("],\"model\":\"m\"}");
            byte[] out = (status.get() == 200 ? sb.toString() : "{\"error\":\"quota\"}").getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(status.get(), out.length);
            try (OutputStream os = ex.getResponseBody()) {
                os.write(out);
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    @Test
    void batchesOrdersByIndexAndNormalises() {
        try (RemoteEmbedder e = new RemoteEmbedder(url(), "sk-secret", "text-embedding-test", 2)) {
            float[][] v = e.embed(List.of("abcd", "", "abcdefghijkl"));
            // "abcd" → [4,3,4]/√41; "" → [0,3,4]/5; 12 chars → [12,3,4]/13.
            assertArrayEquals(new float[] {(float) (4 / Math.sqrt(41)), (float) (3 / Math.sqrt(41)), (float) (4 / Math.sqrt(41))}, v[0], 1e-6f);
            assertArrayEquals(new float[] {0, 0.6f, 0.8f}, v[1], 1e-6f);
            assertArrayEquals(new float[] {12 / 13f, 3 / 13f, 4 / 13f}, v[2], 1e-6f);
            assertEquals(3, e.dimension());
            assertEquals(2, requests.size(), "3 texts in batches of 2");
            assertEquals("text-embedding-test", requests.get(0).get("model").asText());
            assertEquals(2, requests.get(0).get("input").size());
            assertEquals("Bearer sk-secret", auth.get(0));
        }
    }

    @Test
    void httpErrorsAreReportedWithoutTheKey() {
        status.set(429);
        try (RemoteEmbedder e = new RemoteEmbedder(url(), "sk-secret", "m", 8)) {
            UncheckedIOException x = assertThrows(UncheckedIOException.class, () -> e.embed(List.of("a")));
            assertTrue(x.getMessage().contains("HTTP 429") && x.getMessage().contains("quota"), x.getMessage());
            assertFalse(x.getMessage().contains("sk-secret"));
        }
    }
}
