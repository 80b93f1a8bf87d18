package dev.tunelab.rag;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Embeddings from an OpenAI-compatible {@code POST <baseUrl>/embeddings} endpoint (OpenAI, Ollama, vLLM, LM Studio).
 * Sends {@code batchSize} texts per request, orders results by their {@code index}, L2-normalises them. The API key
 * goes into the Authorization header only; it never appears in messages.
 */
public final class RemoteEmbedder implements Embedder {
    private static final MediaType JSON = MediaType.get("application/json");
    private final OkHttpClient http;
    private final ObjectMapper json = new ObjectMapper();
    private final String baseUrl;
    private final String apiKey;
    private final String model;
    private final int batchSize;
    private int dimension = -1;

    public RemoteEmbedder(String baseUrl, String apiKey, String model, int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
        }
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.apiKey = apiKey;
        this.model = model;
        this.batchSize = batchSize;
        this.http = new OkHttpClient.Builder().callTimeout(Duration.ofSeconds(120)).build();
    }

    @Override
    public String name() {
        return model + " (remote)";
    }

    /** Known after the first call (or probed with one short request). */
    @Override
    public int dimension() {
        if (dimension < 0) {
            embed(List.of("dimension probe"));
        }
        return dimension;
    }

    @Override
    public float[][] embed(List<String> texts) {
        List<float[]> out = new ArrayList<>();
        for (int start = 0; start < texts.size(); start += batchSize) {
            out.addAll(request(texts.subList(start, Math.min(texts.size(), start + batchSize))));
        }
        return out.toArray(new float[0][]);
    }

    private List<float[]> request(List<String> batch) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("model", model);
        body.put("input", batch);
        Request.Builder rb = new Request.Builder().url(baseUrl + "/embeddings");
        if (apiKey != null && !apiKey.isBlank()) {
            rb.header("Authorization", "Bearer " + apiKey);
        }
        String url = baseUrl + "/embeddings";
        try {
            Request req = rb.post(RequestBody.create(json.writeValueAsBytes(body), JSON)).build();
            try (Response resp = http.newCall(req).execute()) {
                String text = resp.body() == null ? "" : resp.body().string();
                if (!resp.isSuccessful()) {
                    throw new IOException("HTTP " + resp.code() + " from " + url + ": " + snippet(text));
                }
                JsonNode data = json.readTree(text).path("data");
                if (!data.isArray() || data.size() != batch.size()) {
                    throw new IOException(url + " returned " + (data.isArray() ? data.size() : 0) + " embeddings for "
                            + batch.size() + " inputs");
                }
                float[][] vectors = new float[batch.size()][];
                for (JsonNode item : data) {
                    int index = item.path("index").asInt(-1);
                    JsonNode emb = item.path("embedding");
                    if (index < 0 || index >= batch.size() || !emb.isArray() || emb.size() == 0) {
                        throw new IOException(url + " returned a malformed item (index " + index + ")");
                    }
                    float[] v = new float[emb.size()];
                    for (int j = 0; j < v.length; j++) {
                        double x = emb.get(j).asDouble(Double.NaN);
                        if (!Double.isFinite(x)) {
                            throw new IOException(url + " returned a non-finite value in embedding " + index);
                        }
                        v[j] = (float) x;
                    }
                    if (dimension >= 0 && v.length != dimension) {
                        throw new IOException(url + " returned dimension " + v.length + ", earlier " + dimension);
                    }
                    dimension = v.length;
                    vectors[index] = Embedder.normalize(v, "remote item " + index);
                }
                for (int i = 0; i < vectors.length; i++) {
                    if (vectors[i] == null) {
                        throw new IOException(url + " returned no embedding for input " + i);
                    }
                }
                return List.of(vectors);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("remote embeddings failed: " + e.getMessage(), e);
        }
    }

    private static String snippet(String s) {
        String t = s.replaceAll("\\s+", " ").strip();
        return t.length() > 200 ? t.substring(0, 200) + "..." : t;
    }

    @Override
    public void close() {
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }
}
