package dev.tunelab.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tunelab.data.Example;
import dev.tunelab.data.Split;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Our metrics against scikit-learn / numpy on real sentiment-uci labels with seeded prediction noise. */
class TaskMetricsTest {
    @Test
    void classificationMetricsMatchScikitLearn() throws Exception {
        Split split = LocalData.sentiment(10, 0, 60, 3);
        List<String> labels = List.of("negative", "positive", "neutral");
        List<String> gold = new ArrayList<>();
        List<String> pred = new ArrayList<>();
        Random r = new Random(11);
        for (Example e : split.test()) {
            gold.add(e.target());
            double u = r.nextDouble();
            pred.add(u < 0.65 ? e.target() : u < 0.85 ? (e.target().equals("positive") ? "negative" : "positive") : "neutral");
        }
        double[] latencies = r.doubles(37, 1, 500).toArray();
        ObjectMapper json = new ObjectMapper();
        String input = json.writeValueAsString(Map.of("gold", gold, "pred", pred, "labels", labels, "lat", latencies));
        JsonNode ref = json.readTree(Python.run("""
                import json, sys, numpy as np
                from sklearn.metrics import accuracy_score, f1_score, confusion_matrix
                d = json.load(sys.stdin)
                print(json.dumps({
                  "acc": accuracy_score(d["gold"], d["pred"]),
                  "f1": f1_score(d["gold"], d["pred"], labels=d["labels"], average="macro", zero_division=0),
                  "cm": confusion_matrix(d["gold"], d["pred"], labels=d["labels"]).tolist(),
                  "p50": float(np.percentile(d["lat"], 50)), "p95": float(np.percentile(d["lat"], 95))}))
                """, input));
        assertEquals(ref.path("acc").asDouble(), TaskMetrics.accuracy(gold, pred), 1e-12);
        assertEquals(ref.path("f1").asDouble(), TaskMetrics.macroF1(labels, gold, pred), 1e-12);
        Map<String, Map<String, Integer>> cm = TaskMetrics.confusion(labels, gold, pred);
        for (int g = 0; g < 2; g++) { // sklearn rows for the gold labels present
            for (int p = 0; p < 3; p++) {
                assertEquals(ref.path("cm").get(g).get(p).asInt(), cm.get(labels.get(g)).get(labels.get(p)));
            }
        }
        assertEquals(ref.path("p50").asDouble(), TaskMetrics.percentile(latencies, 0.5), 1e-9);
        assertEquals(ref.path("p95").asDouble(), TaskMetrics.percentile(latencies, 0.95), 1e-9);
    }

    @Test
    void generationMetricsMatchAReferenceImplementation() throws Exception {
        // SQuAD-style token F1 and ROUGE-L (LCS) written independently in Python over real MedQuAD answers
        Split split = LocalData.medquad(0, 0, 12, 5);
        List<String> refs = new ArrayList<>();
        List<String> preds = new ArrayList<>();
        for (int i = 0; i < split.test().size(); i++) {
            refs.add(split.test().get(i).target());
            String other = split.test().get((i + 1) % split.test().size()).target();
            String own = split.test().get(i).target();
            preds.add(i % 3 == 0 ? own : own.substring(0, Math.min(own.length(), 160)) + " " + other.substring(0, Math.min(other.length(), 90)));
        }
        ObjectMapper json = new ObjectMapper();
        JsonNode ref = json.readTree(Python.run("""
                import json, sys, re, collections
                def toks(s):
                    s = re.sub(r"[^\\w\\s]|_", " ", s.lower())
                    return s.split()
                def f1(a, b):
                    r, p = toks(a), toks(b)
                    common = sum((collections.Counter(r) & collections.Counter(p)).values())
                    if common == 0: return 0.0
                    pr, rc = common / len(p), common / len(r)
                    return 2 * pr * rc / (pr + rc)
                def rouge(a, b):
                    r, p = toks(a), toks(b)
                    dp = [[0] * (len(p) + 1) for _ in range(len(r) + 1)]
                    for i in range(1, len(r) + 1):
                        for j in range(1, len(p) + 1):
                            dp[i][j] = dp[i-1][j-1] + 1 if r[i-1] == p[j-1] else max(dp[i-1][j], dp[i][j-1])
                    l = dp[len(r)][len(p)]
                    if l == 0: return 0.0
                    pr, rc = l / len(p), l / len(r)
                    return 2 * pr * rc / (pr + rc)
                d = json.load(sys.stdin)
                print(json.dumps({"f1": [f1(a, b) for a, b in zip(d["r"], d["p"])], "rl": [rouge(a, b) for a, b in zip(d["r"], d["p"])]}))
                """, json.writeValueAsString(Map.of("r", refs, "p", preds))));
        for (int i = 0; i < refs.size(); i++) {
            assertEquals(ref.path("f1").get(i).asDouble(), TaskMetrics.tokenF1(refs.get(i), preds.get(i)), 1e-12, "f1 " + i);
            assertEquals(ref.path("rl").get(i).asDouble(), TaskMetrics.rougeL(refs.get(i), preds.get(i)), 1e-12, "rouge " + i);
        }
    }
}
