package dev.tunelab.track;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A W&B stand-in implementing the endpoints our client uses, with W&B's offset semantics for file_stream (a line at
 * offset i replaces line i; a gap is an error), and scripted faults per request number.
 */
final class FakeWandbServer implements AutoCloseable {
    enum Fault { HTTP_500, SLOW_AFTER_APPLY, DROP_BEFORE_APPLY, DROP_AFTER_APPLY, HTTP_401 }

    record StreamRequest(Long historyOffset, int historyLines, boolean hasSummary, boolean complete, Integer exitcode,
                         boolean heartbeat, String authorization) {}

    private final ObjectMapper json = new ObjectMapper();
    private final HttpServer server;
    private final ExecutorService pool = Executors.newCachedThreadPool();
    final Map<Integer, Fault> streamFaults = new ConcurrentHashMap<>();
    final Map<Integer, Fault> graphqlFaults = new ConcurrentHashMap<>();
    final List<String> history = Collections.synchronizedList(new ArrayList<>());
    final List<String> errors = Collections.synchronizedList(new ArrayList<>());
    final List<StreamRequest> applied = Collections.synchronizedList(new ArrayList<>());
    final List<JsonNode> graphqlRequests = Collections.synchronizedList(new ArrayList<>());
    final List<String> graphqlAuth = Collections.synchronizedList(new ArrayList<>());
    final Map<String, byte[]> uploads = new ConcurrentHashMap<>();
    final Map<String, String> uploadAuthorization = new ConcurrentHashMap<>();
    final Map<String, String> uploadTestHeader = new ConcurrentHashMap<>();
    final List<String> streamPaths = Collections.synchronizedList(new ArrayList<>());
    volatile String summary;
    volatile int streamCalls, graphqlCalls, faultsInjected;
    volatile long slowMillis = 1500;
    volatile boolean completedBeforeLastRequest;

    FakeWandbServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(pool);
        server.createContext("/graphql", this::graphql);
        server.createContext("/files/", this::fileStream);
        server.createContext("/upload/", this::upload);
        server.start();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private synchronized int nextStreamCall() {
        return ++streamCalls;
    }

    private synchronized int nextGraphqlCall() {
        return ++graphqlCalls;
    }

    private void graphql(HttpExchange ex) throws IOException {
        int n = nextGraphqlCall();
        JsonNode body = json.readTree(ex.getRequestBody().readAllBytes());
        Fault f = graphqlFaults.remove(n);
        if (f != null) {
            faultsInjected++;
            if (f == Fault.HTTP_500) {
                respond(ex, 500, "{\"error\":\"boom\"}");
                return;
            }
            if (f == Fault.HTTP_401) {
                respond(ex, 401, "{\"error\":\"bad credentials " + ex.getRequestHeaders().getFirst("Authorization") + "\"}");
                return;
            }
        }
        graphqlRequests.add(body);
        graphqlAuth.add(ex.getRequestHeaders().getFirst("Authorization"));
        String query = body.path("query").asText();
        JsonNode vars = body.path("variables");
        Map<String, Object> data = new LinkedHashMap<>();
        if (query.contains("upsertBucket")) {
            String entity = vars.path("entity").isNull() || vars.path("entity").isMissingNode() ? "default-entity" : vars.path("entity").asText();
            data.put("upsertBucket", Map.of("bucket", Map.of("id", "b1", "name", vars.path("name").asText(),
                    "historyLineCount", history.size(), "project", Map.of("id", "p1", "name", vars.path("project").asText(),
                            "entity", Map.of("id", "e1", "name", entity))), "inserted", true));
        } else if (query.contains("createRunFiles")) {
            List<Map<String, Object>> files = new ArrayList<>();
            vars.path("files").forEach(name -> files.add(Map.of("name", name.asText(), "uploadUrl", baseUrl() + "/upload/" + name.asText())));
            data.put("createRunFiles", Map.of("runID", "r1", "uploadHeaders", List.of("X-Test-Header:abc"), "files", files));
        } else {
            respond(ex, 400, "{\"errors\":[{\"message\":\"unknown query\"}]}");
            return;
        }
        respond(ex, 200, json.writeValueAsString(Map.of("data", data)));
    }

    private void fileStream(HttpExchange ex) throws IOException {
        int n = nextStreamCall();
        byte[] raw = ex.getRequestBody().readAllBytes();
        Fault f = streamFaults.remove(n);
        if (f == Fault.HTTP_500) {
            faultsInjected++;
            respond(ex, 500, "oops");
            return;
        }
        if (f == Fault.DROP_BEFORE_APPLY) {
            faultsInjected++;
            throw new IllegalStateException("drop the connection"); // the JDK server closes the connection
        }
        synchronized (this) {
            streamPaths.add(ex.getRequestURI().getPath());
            apply(json.readTree(raw), ex.getRequestHeaders().getFirst("Authorization"));
        }
        if (f == Fault.DROP_AFTER_APPLY) {
            faultsInjected++;
            throw new IllegalStateException("drop the connection after applying");
        }
        if (f == Fault.SLOW_AFTER_APPLY) {
            faultsInjected++;
            try {
                Thread.sleep(slowMillis);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }
        respond(ex, 200, "{}");
    }

    private void apply(JsonNode body, String auth) {
        if (!applied.isEmpty() && applied.get(applied.size() - 1).complete()) {
            completedBeforeLastRequest = true;
        }
        JsonNode files = body.path("files");
        JsonNode h = files.path("wandb-history.jsonl");
        Long offset = null;
        int count = 0;
        if (!h.isMissingNode()) {
            offset = h.path("offset").asLong();
            JsonNode content = h.path("content");
            count = content.size();
            for (int i = 0; i < content.size(); i++) {
                long idx = offset + i;
                String line = content.get(i).asText();
                if (idx < history.size()) {
                    if (!history.get((int) idx).equals(line)) {
                        errors.add("line " + idx + " resent with different content");
                    }
                } else if (idx == history.size()) {
                    history.add(line);
                } else {
                    errors.add("gap: offset " + idx + " but only " + history.size() + " lines");
                }
            }
        }
        JsonNode s = files.path("wandb-summary.json");
        if (!s.isMissingNode()) {
            if (s.path("offset").asLong() != 0) {
                errors.add("summary offset " + s.path("offset"));
            }
            summary = s.path("content").get(s.path("content").size() - 1).asText();
        }
        boolean complete = body.path("complete").asBoolean(false);
        boolean heartbeat = files.isMissingNode() && !complete;
        applied.add(new StreamRequest(offset, count, !s.isMissingNode(), complete,
                body.has("exitcode") ? body.path("exitcode").asInt() : null, heartbeat, auth));
    }

    private void upload(HttpExchange ex) throws IOException {
        if (!ex.getRequestMethod().equals("PUT")) {
            respond(ex, 405, "");
            return;
        }
        String name = ex.getRequestURI().getPath().substring("/upload/".length());
        uploads.put(name, ex.getRequestBody().readAllBytes());
        uploadAuthorization.put(name, String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
        uploadTestHeader.put(name, String.valueOf(ex.getRequestHeaders().getFirst("X-Test-Header")));
        respond(ex, 200, "");
    }

    private static void respond(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
        if (b.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(b);
            }
        }
        ex.close();
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }
}
