package dev.tunelab.prompt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.function.Function;

/**
 * A local chat/completions endpoint on the JDK's HttpServer: answers from a script of canned replies (429s, 500s,
 * malformed bodies...), then from a fallback function of the request body; records every request.
 */
public final class FakeChatServer implements AutoCloseable {
    /** A canned HTTP answer. */
    public record Reply(int status, String body, Map<String, String> headers) {
        public static Reply ok(String content, int promptTokens, int completionTokens) {
            return new Reply(200, "{\"id\":\"c1\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,"
                    + "\"message\":{\"role\":\"assistant\",\"content\":" + quote(content) + "},"
                    + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":" + promptTokens
                    + ",\"completion_tokens\":" + completionTokens + ",\"total_tokens\":"
                    + (promptTokens + completionTokens) + "}}", Map.of());
        }

        static String quote(String s) {
            return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
        }
    }

    /** What the server saw. */
    public record Seen(String authorization, String path, JsonNode body) {}

    public final ConcurrentLinkedDeque<Reply> script = new ConcurrentLinkedDeque<>();
    public final List<Seen> seen = Collections.synchronizedList(new ArrayList<>());
    public volatile Function<JsonNode, Reply> fallback = b -> new Reply(500, "no script left", Map.of());
    private final HttpServer server;

    public FakeChatServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            byte[] in = exchange.getRequestBody().readAllBytes();
            JsonNode body = new ObjectMapper().readTree(in);
            seen.add(new Seen(exchange.getRequestHeaders().getFirst("Authorization"),
                    exchange.getRequestURI().getPath(), body));
            Reply r = script.pollFirst();
            if (r == null) {
                r = fallback.apply(body);
            }
            r.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            byte[] out = r.body().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(r.status(), out.length);
            exchange.getResponseBody().write(out);
            exchange.close();
        });
        server.start();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
