package dev.tunelab.experiment;

import ai.djl.ndarray.NDArray;
import dev.tunelab.data.Example;
import dev.tunelab.data.Split;
import dev.tunelab.data.TaskType;
import dev.tunelab.model.DjlSetup;
import dev.tunelab.model.LanguageModel;
import dev.tunelab.model.Linear;
import dev.tunelab.tune.Method;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FineTuneStrategyTest {
    @BeforeAll
    static void djl() {
        DjlSetup.ensure();
    }

    @Test
    void loraTrainsOnlyAdaptersAndScoresLabels() {
        Split split = LocalData.sentiment(12, 4, 6, 5);
        LanguageModel lm = BaseModels.tinyRandom();
        long expectedTrainable = 0;
        for (Map.Entry<String, Linear> e : lm.model().linears().entrySet()) {
            if (!e.getKey().equals("lm_head")) {
                long[] shape = lm.model().parameters().get(e.getKey() + ".weight").getShape().getShape();
                expectedTrainable += 4L * (shape[0] + shape[1]);
            }
        }
        float[] before = lm.model().parameters().get("model.layers.0.self_attn.q_proj.weight").toFloatArray();
        FineTuneStrategy.Settings s = new FineTuneStrategy.Settings(Method.LORA, 4, 8, 0, "all-linear", 1, true, 3, 5e-3,
                8, 96, 8, 1);
        StrategyResult r;
        try (FineTuneStrategy ft = new FineTuneStrategy("lora-test", lm, s)) {
            r = new StrategyRunner(Pricing.defaults(), 0.5).run(ft, split, dev.tunelab.eval.ProgressListener.NONE);
            NDArray after = lm.model().parameters().get("model.layers.0.self_attn.q_proj.weight");
            assertArrayEquals(before, after.toFloatArray(), "LoRA must leave the base weights untouched");
        }
        assertEquals(expectedTrainable, r.cost().trainableParams());
        List<double[]> loss = r.cost().curves().get("train_loss");
        int steps = (int) Math.ceil(24 / 8.0) * 3;
        assertEquals(steps, loss.size());
        assertTrue(loss.get(loss.size() - 1)[1] < loss.get(0)[1], "training loss must fall on a random model");
        assertTrue(r.cost().curves().get("validation_loss").size() >= 1);
        assertTrue(r.cost().trainSeconds() > 0);
        for (ExampleResult e : r.examples()) {
            assertTrue(split.labels().contains(e.prediction()), e.prediction());
            assertTrue(e.tokensIn() > e.input().length(), "byte tokens of the prompt");
        }
    }

    @Test
    void fullFineTuningOnQuestionAnsweringGenerates() {
        Split qa = LocalData.medquad(6, 2, 2, 3);
        Split small = new Split(qa.name(), TaskType.GENERATION, List.of(), shorten(qa.train()), shorten(qa.validation()), shorten(qa.test()));
        LanguageModel lm = BaseModels.tinyRandom();
        long total = lm.model().parameters().values().stream().mapToLong(NDArray::size).sum();
        FineTuneStrategy.Settings s = new FineTuneStrategy.Settings(Method.FULL, 4, 8, 0, "all-linear", 1, true, 1, 1e-3,
                4, 96, 6, 1);
        Comparison c = Experiment.named("qa").split(small).strategy(new FineTuneStrategy("full", lm, s)).run();
        StrategyResult r = c.result("full");
        assertEquals(total, r.cost().trainableParams());
        assertEquals(2, r.examples().size());
        assertTrue(r.examples().stream().allMatch(e -> e.tokensOut() > 0 && e.tokensOut() <= 6));
        assertTrue(r.metrics().containsKey("token_f1"));
    }

    private static List<Example> shorten(List<Example> rows) {
        return rows.stream().map(e -> new Example(e.id(), e.input(), e.target().substring(0, Math.min(80, e.target().length())), e.fields())).toList();
    }
}
