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

/** Comparison metrics against scikit-learn / numpy on real sentiment-uci labels with seeded prediction noise. */
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
        // the comparison's metrics (computed through eval's Evaluation) for a strategy that answers exactly `pred`
        Map<String, String> answers = new java.util.HashMap<>();
        for (int i = 0; i < split.test().size(); i++) {
            answers.put(split.test().get(i).id(), pred.get(i));
        }
        Split threeLabels = new Split(split.name(), split.task(), labels, split.train(), split.validation(), split.test());
        Comparison c = Experiment.named("m").split(threeLabels).strategy(new ExperimentTest.Scripted("s", "prompting",
                e -> answers.get(e.id()), 1, 0, 0, dev.tunelab.eval.StrategyCost.none())).run();
        assertEquals(ref.path("acc").asDouble(), c.result("s").metrics().get("accuracy"), 1e-12);
        assertEquals(ref.path("f1").asDouble(), c.result("s").metrics().get("macro_f1"), 1e-12);
        Map<String, Map<String, Integer>> cm = TaskMetrics.confusion(labels, gold, pred);
        for (int g = 0; g < 2; g++) { // sklearn rows for the gold labels present
            for (int p = 0; p < 3; p++) {
                assertEquals(ref.path("cm").get(g).get(p).asInt(), cm.get(labels.get(g)).get(labels.get(p)));
            }
        }
        assertEquals(ref.path("p50").asDouble(), TaskMetrics.percentile(latencies, 0.5), 1e-9);
        assertEquals(ref.path("p95").asDouble(), TaskMetrics.percentile(latencies, 0.95), 1e-9);
    }
}
