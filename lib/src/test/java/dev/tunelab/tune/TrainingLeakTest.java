package dev.tunelab.tune;

import ai.djl.ndarray.NDManager;
import dev.tunelab.model.ByteTokenizer;
import dev.tunelab.model.DjlSetup;
import dev.tunelab.model.LanguageModel;
import dev.tunelab.model.LlamaConfig;
import dev.tunelab.model.Models;
import dev.tunelab.model.CausalLM;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Reproducer for the pretraining memory growth: live NDArrays (in every DJL manager, children included) must not grow
 * from step K to step 2K of a run, for every method, with evaluation and checkpoints in between. Array counts are
 * deterministic; resident memory is printed for the record only.
 */
class TrainingLeakTest {
    static final LlamaConfig CONFIG = LlamaConfig.tiny(259, 64, 128, 2, 4, 2, 256);
    static final int K = 4;

    @BeforeAll
    static void setup() {
        DjlSetup.ensure();
    }

    /** Live arrays in the whole engine: the system manager owns every base manager, and counts recurse into children. */
    static int liveArrays(NDManager modelManager) {
        NDManager root = modelManager;
        while (root.getParentManager() != null && root.getParentManager() != root) {
            root = root.getParentManager();
        }
        return root.getManagedArrays().size();
    }

    @Test
    void liveArraysDoNotGrowFromStepKToStep2KForEveryMethod(@TempDir Path tmp) throws Exception {
        List<TrainingExample> data = TrainerTest.sentiment(48);
        Map<String, Function<CausalLM, TunedModel>> methods = new TreeMap<>(Map.of(
                "full", TunedModel::full,
                "lora", m -> TunedModel.lora(m, LoraConfig.defaults().withTargets("all-linear")),
                "qlora", m -> TunedModel.qlora(m, LoraConfig.defaults(), QuantConfig.nf4())));
        List<String> failures = new ArrayList<>();
        for (Map.Entry<String, Function<CausalLM, TunedModel>> method : methods.entrySet()) {
            try (LanguageModel lm = Models.random(CONFIG, new ByteTokenizer(), 7);
                 TunedModel tuned = method.getValue().apply(lm.model())) {
                int[] arrays = new int[2 * K + 1];
                long[] rss = new long[2 * K + 1];
                TrainingResult r = Trainer.builder().setModel(tuned).setTokenizer(lm.tokenizer()).setTrainData(data)
                        .optValidationData(data.subList(0, 4)).optBatchSize(4).optMaxSteps(2 * K)
                        .optLearningRate(1e-3).optMaxGradNorm(1.0).optScheduler(LrSchedule.Kind.COSINE, 2)
                        .optEvalEvery(2).optCheckpoints(tmp.resolve(method.getKey()), 2, 1).optMaxLength(64)
                        .addListener(new TrainingListener() {
                            @Override
                            public void onStep(Progress p) {
                                arrays[p.step()] = liveArrays(lm.model().manager());
                                rss[p.step()] = MemoryProbe.residentBytes();
                            }
                        }).build().train();
                assertFalse(r.failed(), method.getKey() + ": " + r.stopReason());
                System.out.printf("leak check %s: live arrays step %d = %d, step %d = %d; RSS %.1f MB -> %.1f MB%n",
                        method.getKey(), K, arrays[K], 2 * K, arrays[2 * K], rss[K] / 1e6, rss[2 * K] / 1e6);
                if (arrays[2 * K] != arrays[K]) {
                    failures.add(method.getKey() + ": " + arrays[K] + " live arrays at step " + K + " but "
                            + arrays[2 * K] + " at step " + 2 * K);
                }
            }
        }
        assertEquals(List.of(), failures, "arrays leaked per training step");
    }
}
