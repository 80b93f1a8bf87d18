package dev.tunelab.prompt;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tunelab.data.Example;
import dev.tunelab.data.Split;
import dev.tunelab.data.TaskType;
import dev.tunelab.eval.Prediction;
import dev.tunelab.eval.ProgressListener;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Remote zero-/few-shot on real sentiment rows against the local chat/completions server. */
class RemoteStrategyTest {
    private static final String KEY = "sk-remote-strategy-test-key";
    private FakeChatServer server;
    private final List<Long> sleeps = new java.util.ArrayList<>();

    @org.junit.jupiter.api.BeforeEach
    void start() throws Exception {
        server = new FakeChatServer();
    }

    @org.junit.jupiter.api.AfterEach
    void stop() {
        server.close();
    }

    /** The fake remote model: "Positive." when the last user turn mentions "good" or "great", else a hedge. */
    private static FakeChatServer.Reply answer(JsonNode body) {
        JsonNode msgs = body.get("messages");
        String last = msgs.get(msgs.size() - 1).get("content").asText().toLowerCase();
        int promptTokens = 0;
        for (JsonNode m : msgs) {
            promptTokens += m.get("content").asText().split("\\s+").length;
        }
        String content = last.contains("good") || last.contains("great") ? "Positive." : "I would say negative";
        return FakeChatServer.Reply.ok(content, promptTokens, 2);
    }

    @Test
    void fewShotSendsDemonstrationTurnsAndParsesAnswers() throws Exception {
        server.fallback = RemoteStrategyTest::answer;
        List<Example> rows = TestData.yelp(40);
        Split split = new Split("yelp", TaskType.CLASSIFICATION, List.of("0", "1"), rows.subList(0, 30), List.of(),
                rows.subList(30, 40));
        RemoteConfig cfg = RemoteConfig.of(server.baseUrl(), KEY, "gpt-test").withPrices(1.0, 2.0);
        try (OpenAiCompatibleClient c = new OpenAiCompatibleClient(cfg, sleeps::add, new Random(1));
             RemoteStrategy s = RemoteStrategy.builder().setClient(c).optTemplate(PromptTemplate.sentiment())
                     .optShots(4, new BalancedShotSelector(3)).build()) {
            s.prepare(split, ProgressListener.NONE);
            long expectedPromptTokens = 0;
            for (Example q : split.test()) {
                int before = server.seen.size();
                Prediction p = s.predict(q);
                JsonNode body = server.seen.get(before).body();
                JsonNode msgs = body.get("messages");
                // system + 4 x (user, assistant) + user
                assertEquals(10, msgs.size());
                assertEquals("system", msgs.get(0).get("role").asText());
                assertEquals("Review: " + q.input() + "\nSentiment:", msgs.get(9).get("content").asText());
                assertEquals(16, body.get("max_tokens").asInt());
                int words = 0;
                for (JsonNode m : msgs) {
                    words += m.get("content").asText().split("\\s+").length;
                }
                expectedPromptTokens += words;
                assertEquals(words, p.tokensIn());
                assertEquals(2, p.tokensOut());
                assertEquals(4, p.sources().size());
                String lower = q.input().toLowerCase();
                String expected = lower.contains("good") || lower.contains("great") ? "1" : "0";
                assertEquals(expected, p.label(), q.input());
            }
            assertEquals(10, s.usage().requests());
            assertEquals(expectedPromptTokens, s.usage().promptTokens());
            assertEquals(20, s.usage().completionTokens());
            assertEquals(expectedPromptTokens / 1000.0 * 1.0 + 20 / 1000.0 * 2.0, s.usage().costUsd(), 1e-12);
            assertEquals("remote", s.kind());
            assertEquals("remote-gpt-test-few-shot-k4-balanced", s.name());
            assertEquals(10L, s.cost().extra().get("requests"));
        }
    }

    @Test
    void unparseableRemoteAnswersAreKeptAsUnparsed() {
        server.fallback = b -> FakeChatServer.Reply.ok("I'd rather not judge.", 10, 5);
        Split split = new Split("s", TaskType.CLASSIFICATION, List.of("0", "1"), List.of(), List.of(), List.of());
        try (RemoteStrategy s = RemoteStrategy.builder().setConfig(RemoteConfig.of(server.baseUrl(), null, "m")).build()) {
            s.prepare(split, ProgressListener.NONE);
            Prediction p = s.predict(new Example("q", "Fine food.", "1", Map.of()));
            assertEquals(AnswerParser.UNPARSED, p.label());
            assertEquals("I'd rather not judge.", p.text());
            assertTrue(p.sources().isEmpty());
        }
    }
}
