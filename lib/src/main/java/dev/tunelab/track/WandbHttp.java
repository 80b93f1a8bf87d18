package dev.tunelab.track;

import com.fasterxml.jackson.databind.JsonNode;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The three kinds of W&amp;B requests (GraphQL, file_stream, upload PUT) over OkHttp, each retried with exponential
 * backoff on network faults, 5xx and 429. Only GraphQL and file_stream carry the basic-auth header; uploads go to
 * pre-signed URLs and must not.
 */
final class WandbHttp {
    private static final System.Logger LOG = System.getLogger("dev.tunelab.track.wandb");
    private static final MediaType JSON = MediaType.get("application/json; charset=utf-8");
    private final WandbSettings settings;
    private final OkHttpClient client;

    WandbHttp(WandbSettings settings) {
        this.settings = settings;
        long ms = settings.timeout().toMillis();
        this.client = new OkHttpClient.Builder().connectTimeout(ms, TimeUnit.MILLISECONDS)
                .readTimeout(ms, TimeUnit.MILLISECONDS).writeTimeout(ms, TimeUnit.MILLISECONDS)
                .retryOnConnectionFailure(false).build();
    }

    JsonNode graphql(String operation, String query, Map<String, Object> variables) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("operationName", operation);
        body.put("query", query);
        body.put("variables", variables);
        String url = settings.baseUrl() + "/graphql";
        String text = send("GraphQL " + operation, () -> authed(new Request.Builder().url(url))
                .post(RequestBody.create(Json.write(body), JSON)).build());
        JsonNode doc;
        try {
            doc = Json.MAPPER.readTree(text);
        } catch (IOException e) {
            throw new WandbException("W&B GraphQL " + operation + " returned invalid JSON", 200);
        }
        JsonNode errors = doc.path("errors");
        if (errors.isArray() && errors.size() > 0) {
            String msg = errors.get(0).path("message").asText("unknown error");
            throw new WandbException("W&B GraphQL " + operation + " failed: " + redact(msg), 200);
        }
        return doc.path("data");
    }

    void fileStream(String entity, String project, String run, Map<String, Object> body) {
        HttpUrl url = HttpUrl.get(settings.baseUrl()).newBuilder().addPathSegment("files").addPathSegment(entity)
                .addPathSegment(project).addPathSegment(run).addPathSegment("file_stream").build();
        String json = Json.write(body);
        send("file_stream", () -> authed(new Request.Builder().url(url)).post(RequestBody.create(json, JSON)).build());
    }

    /** PUT to a pre-signed upload URL with the server's upload headers and no Authorization header. */
    void upload(String url, byte[] bytes, List<String> headers) {
        send("upload", () -> {
            Request.Builder b = new Request.Builder().url(url);
            for (String h : headers) {
                int colon = h.indexOf(':');
                if (colon > 0 && !h.substring(0, colon).trim().equalsIgnoreCase("authorization")) {
                    b.header(h.substring(0, colon).trim(), h.substring(colon + 1).trim());
                }
            }
            return b.put(RequestBody.create(bytes, MediaType.get("application/octet-stream"))).build();
        });
    }

    private Request.Builder authed(Request.Builder b) {
        return b.header("Authorization", settings.apiKey().basicAuthorization()).header("User-Agent", "tunelab-wandb/0.1");
    }

    private interface RequestFactory {
        Request build();
    }

    /** Sends with retries; returns the body of the first 2xx response. */
    private String send(String what, RequestFactory factory) {
        RetryPolicy retry = settings.retry();
        String last = "";
        int lastStatus = -1;
        for (int attempt = 1; attempt <= retry.maxAttempts(); attempt++) {
            Request request = factory.build();
            try (Response response = client.newCall(request).execute()) {
                ResponseBody body = response.body();
                String text = body == null ? "" : body.string();
                if (response.isSuccessful()) {
                    return text;
                }
                lastStatus = response.code();
                last = "HTTP " + response.code();
                if (response.code() == 401 || response.code() == 403) {
                    throw new WandbException("W&B " + what + " at " + redactUrl(request.url()) + " was refused (HTTP "
                            + response.code() + "): check the API key (WANDB_API_KEY or ~/.netrc) and the entity/project", response.code());
                }
                if (response.code() < 500 && response.code() != 429) {
                    throw new WandbException("W&B " + what + " at " + redactUrl(request.url()) + " failed: HTTP "
                            + response.code() + " " + redact(abbreviate(text)), response.code());
                }
            } catch (IOException e) {
                lastStatus = -1;
                last = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + redact(e.getMessage()));
            }
            if (attempt < retry.maxAttempts()) {
                long delay = retry.delay(attempt).toMillis();
                LOG.log(System.Logger.Level.WARNING, "W&B {0} failed ({1}); retry {2}/{3} in {4} ms", what, last,
                        attempt + 1, retry.maxAttempts(), delay);
                try {
                    Thread.sleep(delay);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new WandbException("W&B " + what + " interrupted while waiting to retry", lastStatus);
                }
            }
        }
        throw new WandbException("W&B " + what + " failed after " + retry.maxAttempts() + " attempts (last: " + last + ")", lastStatus);
    }

    private String redact(String s) {
        return settings.apiKey() == null ? s : settings.apiKey().redact(s);
    }

    private String redactUrl(HttpUrl url) {
        return redact(url.newBuilder().query(null).build().toString());
    }

    private static String abbreviate(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }

    void close() {
        client.dispatcher().executorService().shutdown();
        client.connectionPool().evictAll();
    }
}
