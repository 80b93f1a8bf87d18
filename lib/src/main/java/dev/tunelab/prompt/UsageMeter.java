package dev.tunelab.prompt;

import java.util.LinkedHashMap;
import java.util.Map;

/** Running totals of remote calls: requests, attempts, tokens as the server reported them, and their price. */
public final class UsageMeter {
    private long requests;
    private long attempts;
    private long promptTokens;
    private long completionTokens;
    private long unreported;
    private double costUsd;

    synchronized void record(int attemptCount, int prompt, int completion, boolean reported, double cost) {
        requests++;
        attempts += attemptCount;
        promptTokens += prompt;
        completionTokens += completion;
        costUsd += cost;
        if (!reported) {
            unreported++;
        }
    }

    synchronized void recordFailure(int attemptCount) {
        attempts += attemptCount;
    }

    public synchronized long requests() {
        return requests;
    }

    public synchronized long attempts() {
        return attempts;
    }

    public synchronized long promptTokens() {
        return promptTokens;
    }

    public synchronized long completionTokens() {
        return completionTokens;
    }

    public synchronized double costUsd() {
        return costUsd;
    }

    /** Responses without a usage block (their tokens count as 0). */
    public synchronized long unreportedUsage() {
        return unreported;
    }

    public synchronized Map<String, Object> asMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("requests", requests);
        m.put("attempts", attempts);
        m.put("prompt_tokens", promptTokens);
        m.put("completion_tokens", completionTokens);
        m.put("cost_usd", costUsd);
        m.put("responses_without_usage", unreported);
        return m;
    }
}
