package dev.tunelab.track;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Random;

/**
 * How to reach Weights &amp; Biases. Build with {@link #fromEnvironment} (WANDB_API_KEY or ~/.netrc, WANDB_BASE_URL,
 * WANDB_ENTITY, WANDB_PROJECT, WANDB_MODE, WANDB_RUN_ID) and adjust with the {@code with...} methods.
 *
 * @param apiKey        null only in offline mode
 * @param entity        user or team; null lets the server pick the key's default entity
 * @param runId         the run's name in URLs (8 lowercase alphanumerics when generated)
 * @param offline       spool to {@code spoolDir} only; upload later with {@code tunelab sync}
 * @param spoolDir      the run directory of ordered records (always written: online runs can be re-synced)
 * @param flushInterval how often buffered history is sent
 * @param heartbeat     an idle run still posts to file_stream this often
 * @param timeout       connect/read/write timeout of one HTTP request
 */
public record WandbSettings(String baseUrl, ApiKey apiKey, String entity, String project, String runId,
                            String displayName, boolean offline, Path spoolDir, Duration flushInterval,
                            Duration heartbeat, Duration timeout, RetryPolicy retry) {
    public static final String DEFAULT_BASE_URL = "https://api.wandb.ai";

    public WandbSettings {
        if (baseUrl == null || !(baseUrl.startsWith("http://") || baseUrl.startsWith("https://"))) {
            throw new IllegalArgumentException("WANDB_BASE_URL must start with http:// or https://, got " + baseUrl);
        }
        baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        if (project == null || project.isBlank()) {
            throw new IllegalArgumentException("W&B project is required (WANDB_PROJECT or --wandb-project)");
        }
        if (runId == null || !runId.matches("[A-Za-z0-9_.-]+")) {
            throw new IllegalArgumentException("W&B run id must be letters, digits, '_', '.', '-', got " + runId);
        }
        if (!offline && apiKey == null) {
            throw new IllegalArgumentException("no W&B API key: set WANDB_API_KEY, run `wandb login` (~/.netrc), or use WANDB_MODE=offline");
        }
        if (spoolDir == null) {
            spoolDir = Path.of("wandb", "run-" + runId);
        }
    }

    /**
     * @param env   environment variables (System.getenv() in production)
     * @param netrc the netrc file to read the key from when WANDB_API_KEY is unset (may be null)
     */
    public static WandbSettings fromEnvironment(Map<String, String> env, Path netrc, String defaultProject) {
        String base = nonBlank(env.get("WANDB_BASE_URL"), DEFAULT_BASE_URL);
        boolean offline = "offline".equalsIgnoreCase(env.get("WANDB_MODE")) || "dryrun".equalsIgnoreCase(env.get("WANDB_MODE"));
        String key = env.get("WANDB_API_KEY");
        if (key == null || key.isBlank()) {
            String host = URI.create(base).getHost();
            key = Netrc.password(netrc, host).or(() -> Netrc.password(netrc, "api.wandb.ai")).orElse(null);
        }
        String runId = nonBlank(env.get("WANDB_RUN_ID"), newRunId());
        return new WandbSettings(base, key == null ? null : ApiKey.of(key.trim()), blankToNull(env.get("WANDB_ENTITY")),
                nonBlank(env.get("WANDB_PROJECT"), defaultProject), runId, blankToNull(env.get("WANDB_NAME")), offline,
                null, Duration.ofSeconds(2), Duration.ofSeconds(30), Duration.ofSeconds(30), RetryPolicy.defaults());
    }

    /** Whether a key can be found (the CLI picks W&amp;B only then, unless asked explicitly). */
    public static boolean keyAvailable(Map<String, String> env, Path netrc) {
        String key = env.get("WANDB_API_KEY");
        if (key != null && !key.isBlank()) {
            return true;
        }
        String host = URI.create(nonBlank(env.get("WANDB_BASE_URL"), DEFAULT_BASE_URL)).getHost();
        return Netrc.password(netrc, host).or(() -> Netrc.password(netrc, "api.wandb.ai")).isPresent();
    }

    public static String newRunId() {
        Random r = new Random();
        String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
        }
        return sb.toString();
    }

    public WandbSettings withEntity(String e) {
        return new WandbSettings(baseUrl, apiKey, e, project, runId, displayName, offline, spoolDir, flushInterval, heartbeat, timeout, retry);
    }

    public WandbSettings withProject(String p) {
        return new WandbSettings(baseUrl, apiKey, entity, p, runId, displayName, offline, spoolDir, flushInterval, heartbeat, timeout, retry);
    }

    public WandbSettings withRunId(String id) {
        return new WandbSettings(baseUrl, apiKey, entity, project, id, displayName, offline, spoolDir, flushInterval, heartbeat, timeout, retry);
    }

    public WandbSettings withDisplayName(String n) {
        return new WandbSettings(baseUrl, apiKey, entity, project, runId, n, offline, spoolDir, flushInterval, heartbeat, timeout, retry);
    }

    public WandbSettings withOffline(boolean o) {
        return new WandbSettings(baseUrl, apiKey, entity, project, runId, displayName, o, spoolDir, flushInterval, heartbeat, timeout, retry);
    }

    public WandbSettings withSpoolDir(Path d) {
        return new WandbSettings(baseUrl, apiKey, entity, project, runId, displayName, offline, d, flushInterval, heartbeat, timeout, retry);
    }

    public WandbSettings withTiming(Duration flush, Duration beat, Duration requestTimeout) {
        return new WandbSettings(baseUrl, apiKey, entity, project, runId, displayName, offline, spoolDir, flush, beat, requestTimeout, retry);
    }

    public WandbSettings withRetry(RetryPolicy r) {
        return new WandbSettings(baseUrl, apiKey, entity, project, runId, displayName, offline, spoolDir, flushInterval, heartbeat, timeout, r);
    }

    public WandbSettings withBaseUrl(String url) {
        return new WandbSettings(url, apiKey, entity, project, runId, displayName, offline, spoolDir, flushInterval, heartbeat, timeout, retry);
    }

    public WandbSettings withApiKey(ApiKey k) {
        return new WandbSettings(baseUrl, k, entity, project, runId, displayName, offline, spoolDir, flushInterval, heartbeat, timeout, retry);
    }

    private static String nonBlank(String v, String fallback) {
        return v == null || v.isBlank() ? fallback : v.trim();
    }

    private static String blankToNull(String v) {
        return v == null || v.isBlank() ? null : v.trim();
    }
}
