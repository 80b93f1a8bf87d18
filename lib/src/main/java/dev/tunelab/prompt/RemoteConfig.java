package dev.tunelab.prompt;

import java.util.Map;

/**
 * Where and how to call an OpenAI-compatible chat-completions endpoint (OpenAI, vLLM, llama.cpp server, Ollama's
 * {@code http://localhost:11434/v1}, ...). {@link #toString()} never shows the key.
 *
 * @param baseUrl          e.g. "https://api.openai.com/v1"; "/chat/completions" is appended
 * @param apiKey           sent as "Authorization: Bearer ..."; null for servers without authentication
 * @param model            the remote model name
 * @param temperature      sampling temperature (0 = as deterministic as the server allows)
 * @param maxTokens        completion length bound
 * @param maxAttempts      attempts per request, including the first (>= 1)
 * @param initialBackoffMs delay before the first retry; doubles each retry, with jitter
 * @param maxBackoffMs     cap on one delay (also on an honoured Retry-After)
 * @param timeoutSeconds   whole-call timeout of one attempt
 * @param usdPer1kInput    price per 1,000 prompt tokens (0 when free / unknown)
 * @param usdPer1kOutput   price per 1,000 completion tokens
 */
public record RemoteConfig(String baseUrl, String apiKey, String model, double temperature, int maxTokens,
                           int maxAttempts, long initialBackoffMs, long maxBackoffMs, double timeoutSeconds,
                           double usdPer1kInput, double usdPer1kOutput) {
    public static final String DEFAULT_BASE_URL = "https://api.openai.com/v1";

    public RemoteConfig {
        if (baseUrl == null || !(baseUrl.startsWith("http://") || baseUrl.startsWith("https://"))) {
            throw new IllegalArgumentException("remote base URL must start with http:// or https://, got '"
                    + baseUrl + "'");
        }
        baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        if (apiKey != null && apiKey.isBlank()) {
            apiKey = null;
        }
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException("remote model name is required (option or TUNELAB_REMOTE_MODEL)");
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be >= 1, got " + maxAttempts);
        }
        if (maxTokens < 1) {
            throw new IllegalArgumentException("maxTokens must be >= 1, got " + maxTokens);
        }
        if (usdPer1kInput < 0 || usdPer1kOutput < 0 || Double.isNaN(usdPer1kInput + usdPer1kOutput)) {
            throw new IllegalArgumentException("token prices must be >= 0");
        }
        if (initialBackoffMs < 0 || maxBackoffMs < initialBackoffMs) {
            throw new IllegalArgumentException("need 0 <= initialBackoffMs <= maxBackoffMs");
        }
    }

    /** A config for {@code model} at {@code baseUrl} with sensible defaults (5 attempts, 0.5 s .. 30 s backoff). */
    public static RemoteConfig of(String baseUrl, String apiKey, String model) {
        return new RemoteConfig(baseUrl, apiKey, model, 0.0, 64, 5, 500, 30_000, 60, 0, 0);
    }

    /**
     * From the environment: base URL from TUNELAB_REMOTE_BASE_URL or OPENAI_BASE_URL (default OpenAI's), key from
     * TUNELAB_REMOTE_API_KEY or OPENAI_API_KEY, model from TUNELAB_REMOTE_MODEL unless {@code model} is given.
     */
    public static RemoteConfig fromEnvironment(String model) {
        return fromEnvironment(model, System.getenv());
    }

    static RemoteConfig fromEnvironment(String model, Map<String, String> env) {
        String base = firstNonBlank(env.get("TUNELAB_REMOTE_BASE_URL"), env.get("OPENAI_BASE_URL"), DEFAULT_BASE_URL);
        String key = firstNonBlank(env.get("TUNELAB_REMOTE_API_KEY"), env.get("OPENAI_API_KEY"), null);
        String m = firstNonBlank(model, env.get("TUNELAB_REMOTE_MODEL"), null);
        return of(base, key, m);
    }

    private static String firstNonBlank(String a, String b, String c) {
        if (a != null && !a.isBlank()) {
            return a;
        }
        return b != null && !b.isBlank() ? b : c;
    }

    public RemoteConfig withModel(String m) {
        return new RemoteConfig(baseUrl, apiKey, m, temperature, maxTokens, maxAttempts, initialBackoffMs,
                maxBackoffMs, timeoutSeconds, usdPer1kInput, usdPer1kOutput);
    }

    public RemoteConfig withSampling(double temp, int maxNewTokens) {
        return new RemoteConfig(baseUrl, apiKey, model, temp, maxNewTokens, maxAttempts, initialBackoffMs,
                maxBackoffMs, timeoutSeconds, usdPer1kInput, usdPer1kOutput);
    }

    public RemoteConfig withRetries(int attempts, long initialMs, long maxMs) {
        return new RemoteConfig(baseUrl, apiKey, model, temperature, maxTokens, attempts, initialMs, maxMs,
                timeoutSeconds, usdPer1kInput, usdPer1kOutput);
    }

    public RemoteConfig withPrices(double inPer1k, double outPer1k) {
        return new RemoteConfig(baseUrl, apiKey, model, temperature, maxTokens, maxAttempts, initialBackoffMs,
                maxBackoffMs, timeoutSeconds, inPer1k, outPer1k);
    }

    public RemoteConfig withTimeout(double seconds) {
        return new RemoteConfig(baseUrl, apiKey, model, temperature, maxTokens, maxAttempts, initialBackoffMs,
                maxBackoffMs, seconds, usdPer1kInput, usdPer1kOutput);
    }

    @Override
    public String toString() {
        return "RemoteConfig[baseUrl=" + baseUrl + ", apiKey=" + (apiKey == null ? "none" : "***") + ", model="
                + model + ", temperature=" + temperature + ", maxTokens=" + maxTokens + ", maxAttempts=" + maxAttempts
                + ", backoffMs=" + initialBackoffMs + ".." + maxBackoffMs + ", usdPer1k=" + usdPer1kInput + "/"
                + usdPer1kOutput + "]";
    }
}
