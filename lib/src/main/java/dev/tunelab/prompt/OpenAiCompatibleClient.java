package dev.tunelab.prompt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tunelab.model.ChatTemplate;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Random;

/**
 * A client for POST {baseUrl}/chat/completions. Retries 429, 5xx, I/O errors and malformed bodies with exponential
 * backoff and jitter (a Retry-After header, in seconds or as an HTTP date, is honoured up to the backoff cap), up to
 * {@link RemoteConfig#maxAttempts()} attempts. Token usage and cost go to a {@link UsageMeter}. The API key appears
 * only in the Authorization header: never in logs, exception messages or toString.
 */
public final class OpenAiCompatibleClient implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OpenAiCompatibleClient.class);
    private static final MediaType JSON = MediaType.get("application/json; charset=utf-8");
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** Waits between attempts; replaced in tests to record delays instead of sleeping. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(long millis) throws InterruptedException;
    }

    /**
     * One completion.
     *
     * @param usageReported false when the server sent no usage block (tokens are then 0)
     */
    public record ChatResult(String text, String finishReason, int promptTokens, int completionTokens,
                             boolean usageReported, double costUsd, int attempts, double latencyMs) {}

    private final RemoteConfig config;
    private final OkHttpClient http;
    private final Sleeper sleeper;
    private final Random jitter;
    private final UsageMeter usage = new UsageMeter();

    public OpenAiCompatibleClient(RemoteConfig config) {
        this(config, Thread::sleep, new Random());
    }

    OpenAiCompatibleClient(RemoteConfig config, Sleeper sleeper, Random jitter) {
        this.config = config;
        this.sleeper = sleeper;
        this.jitter = jitter;
        this.http = new OkHttpClient.Builder()
                .callTimeout(Duration.ofMillis((long) (config.timeoutSeconds() * 1000)))
                .retryOnConnectionFailure(false)
                .build();
    }

    public RemoteConfig config() {
        return config;
    }

    public UsageMeter usage() {
        return usage;
    }

    public ChatResult chat(List<ChatTemplate.Message> messages) {
        return chat(messages, config.temperature(), config.maxTokens(), List.of());
    }

    public ChatResult chat(List<ChatTemplate.Message> messages, double temperature, int maxTokens, List<String> stop) {
        String body = requestBody(messages, temperature, maxTokens, stop);
        String url = config.baseUrl() + "/chat/completions";
        long t0 = System.nanoTime();
        String lastProblem = "no attempt made";
        int lastStatus = -1;
        for (int attempt = 1; attempt <= config.maxAttempts(); attempt++) {
            Long retryAfterMs = null;
            try (Response response = http.newCall(request(url, body)).execute()) {
                String text = response.body() == null ? "" : response.body().string();
                lastStatus = response.code();
                if (response.isSuccessful()) {
                    try {
                        ChatResult r = parse(text, attempt, (System.nanoTime() - t0) / 1e6);
                        usage.record(attempt, r.promptTokens(), r.completionTokens(), r.usageReported(), r.costUsd());
                        return r;
                    } catch (IOException | IllegalStateException e) {
                        lastStatus = -1;
                        lastProblem = "malformed response body (" + redact(firstLine(e.getMessage())) + ")";
                    }
                } else if (response.code() == 429 || response.code() >= 500) {
                    lastProblem = "HTTP " + response.code() + ": " + snippet(text);
                    retryAfterMs = retryAfterMillis(response.header("Retry-After"));
                } else {
                    usage.recordFailure(attempt);
                    throw new RemoteException("remote " + url + " answered HTTP " + response.code() + ": "
                            + snippet(text), response.code(), attempt);
                }
            } catch (IOException e) {
                lastStatus = -1;
                lastProblem = "I/O error: " + redact(firstLine(e.getMessage()));
            }
            if (attempt == config.maxAttempts()) {
                break;
            }
            long delay = retryAfterMs != null ? Math.min(retryAfterMs, config.maxBackoffMs()) : backoffMillis(attempt);
            LOG.warn("remote attempt {}/{} to {} failed ({}); retrying in {} ms", attempt, config.maxAttempts(), url,
                    lastProblem, delay);
            try {
                sleeper.sleep(delay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                usage.recordFailure(attempt);
                throw new RemoteException("interrupted while waiting to retry " + url, lastStatus, attempt);
            }
        }
        usage.recordFailure(config.maxAttempts());
        throw new RemoteException("remote " + url + " failed after " + config.maxAttempts() + " attempts; last: "
                + lastProblem, lastStatus, config.maxAttempts());
    }

    /** Exponential backoff with "equal jitter": half the doubled delay fixed, half uniformly random. */
    long backoffMillis(int attempt) {
        double full = Math.min(config.maxBackoffMs(), config.initialBackoffMs() * Math.pow(2, attempt - 1));
        return (long) (full / 2 + jitter.nextDouble() * full / 2);
    }

    static Long retryAfterMillis(String header) {
        if (header == null || header.isBlank()) {
            return null;
        }
        String h = header.strip();
        try {
            return Math.max(0, (long) (Double.parseDouble(h) * 1000));
        } catch (NumberFormatException ignored) {
            // not seconds: try an HTTP date
        }
        try {
            ZonedDateTime when = ZonedDateTime.parse(h, DateTimeFormatter.RFC_1123_DATE_TIME);
            return Math.max(0, Duration.between(ZonedDateTime.now(when.getZone()), when).toMillis());
        } catch (RuntimeException e) {
            return null;
        }
    }

    private Request request(String url, String body) {
        Request.Builder b = new Request.Builder().url(url).post(RequestBody.create(body, JSON));
        if (config.apiKey() != null) {
            b.header("Authorization", "Bearer " + config.apiKey());
        }
        return b.build();
    }

    private String requestBody(List<ChatTemplate.Message> messages, double temperature, int maxTokens,
                               List<String> stop) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("model", config.model());
        ArrayNode msgs = root.putArray("messages");
        for (ChatTemplate.Message m : messages) {
            msgs.addObject().put("role", m.role()).put("content", m.content());
        }
        root.put("temperature", temperature);
        root.put("max_tokens", maxTokens);
        if (!stop.isEmpty()) {
            ArrayNode s = root.putArray("stop");
            stop.forEach(s::add);
        }
        return root.toString();
    }

    private ChatResult parse(String text, int attempt, double latencyMs) throws IOException {
        JsonNode root = MAPPER.readTree(text);
        JsonNode choice = root == null ? null : root.path("choices").path(0);
        if (choice == null || choice.isMissingNode() || !choice.path("message").path("content").isTextual()) {
            throw new IllegalStateException("no choices[0].message.content in: " + snippet(text));
        }
        String content = choice.path("message").path("content").asText();
        String finish = choice.path("finish_reason").asText("unknown");
        JsonNode u = root.path("usage");
        boolean reported = u.path("prompt_tokens").isNumber() && u.path("completion_tokens").isNumber();
        int in = reported ? u.path("prompt_tokens").asInt() : 0;
        int out = reported ? u.path("completion_tokens").asInt() : 0;
        double cost = in / 1000.0 * config.usdPer1kInput() + out / 1000.0 * config.usdPer1kOutput();
        return new ChatResult(content, finish, in, out, reported, cost, attempt, latencyMs);
    }

    private String snippet(String body) {
        String s = body == null ? "" : body.replaceAll("\\s+", " ").strip();
        return redact(s.length() > 200 ? s.substring(0, 200) + "..." : s);
    }

    private static String firstLine(String s) {
        return s == null ? "(no message)" : s.lines().findFirst().orElse("");
    }

    /** Servers sometimes echo the key back ("Incorrect API key provided: sk-..."): never pass it on. */
    private String redact(String s) {
        if (s == null) {
            return "";
        }
        String key = config.apiKey();
        return key == null || key.length() < 4 ? s : s.replace(key, "***");
    }

    @Override
    public void close() {
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }

    @Override
    public String toString() {
        return "OpenAiCompatibleClient[" + config + "]";
    }
}
