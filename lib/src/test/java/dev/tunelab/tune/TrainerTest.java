package dev.tunelab.tune;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.tunelab.model.DjlSetup;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainerTest {
    static final ByteTokenizer TOK = new ByteTokenizer();

    @BeforeAll
    static void setup() {
        DjlSetup.ensure();
    }

    static List<TrainingExample> sentiment(int limit) throws IOException {
        Path file = Path.of(System.getProperty("tunelab.repo"), "..", "shared", "datasets", "sentiment-uci",
                "yelp_labelled.txt");
        List<TrainingExample> out = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            String[] parts = line.split("\t");
            if (parts.length == 2 && out.size() < limit) {
                out.add(TrainingExample.of("Review: " + parts[0].strip() + "\nSentiment:",
                        parts[1].strip().equals("1") ? " positive" : " negative"));
            }
        }
        return out;
    }

    static TinyLm model() {
        return new TinyLm(259, 32, 2, 1, DataType.FLOAT32);
    }

    static Map<String, float[]> snapshot(Map<String, NDArray> params) {
        Map<String, float[]> out = new LinkedHashMap<>();
        params.forEach((k, v) -> out.put(k, v.toFloatArray()));
        return out;
    }

    @Test
    void loraLearnsARealTaskAndLeavesFrozenWeightsBitIdentical() throws IOException {
        List<TrainingExample> data = sentiment(160);
        try (TinyLm lm = model()) {
            Map<String, float[]> before = snapshot(lm.parameters());
            try (TunedModel tuned = TunedModel.lora(lm, LoraConfig.defaults().withR(8).withAlpha(16))) {
                assertEquals(2 * 2 * (8 * 32 + 32 * 8), tuned.trainableParams());
                TrainingResult r = Trainer.builder().setModel(tuned).setTokenizer(TOK).setTrainData(data)
                        .optValidationData(sentiment(200).subList(160, 200)).optBatchSize(8).optMaxSteps(40)
                        .optLearningRate(1e-2).optScheduler(LrSchedule.Kind.CONSTANT, 2).optMaxLength(96)
                        .build().train();
                assertFalse(r.failed());
                assertEquals(40, r.steps());
                double first = r.lossCurve().subList(0, 5).stream().mapToDouble(TrainingResult.Point::value).average().orElseThrow();
                double last = r.lossCurve().subList(35, 40).stream().mapToDouble(TrainingResult.Point::value).average().orElseThrow();
                assertTrue(last < 0.7 * first, "loss " + first + " -> " + last);
                assertTrue(r.finalEval().get("eval_loss") < first, "eval loss " + r.finalEval());
                assertTrue(r.tokensPerSecond() > 0 && r.peakMemoryBytes() > 0);
            }
            Map<String, float[]> after = snapshot(lm.parameters());
            for (String k : before.keySet()) {
                assertArrayEquals(before.get(k), after.get(k), "frozen " + k + " changed");
            }
        }
    }

    @Test
    void freezeTrainsOnlyTheLastBlockAndHead() throws IOException {
        try (TinyLm lm = model(); TunedModel tuned = TunedModel.freeze(lm, 1, true)) {
            assertEquals(List.of("model.layers.1.self_attn.q_proj.weight", "model.layers.1.self_attn.v_proj.weight",
                    "model.layers.1.input_layernorm.weight", "model.norm.weight", "lm_head.weight"),
                    new ArrayList<>(tuned.trainableParameters().keySet()));
            Map<String, float[]> before = snapshot(lm.parameters());
            Trainer.builder().setModel(tuned).setTokenizer(TOK).setTrainData(sentiment(16)).optBatchSize(4)
                    .optMaxSteps(3).optLearningRate(1e-2).build().train();
            Map<String, float[]> after = snapshot(lm.parameters());
            for (String k : before.keySet()) {
                boolean trainable = tuned.trainableParameters().containsKey(k);
                assertEquals(!trainable, java.util.Arrays.equals(before.get(k), after.get(k)), k);
            }
        }
        assertEquals(3, TunedModel.blockIndex("model.layers.3.mlp.up_proj.weight"));
        assertEquals(11, TunedModel.blockIndex("transformer.h.11.attn.c_attn.weight"));
        assertEquals(-1, TunedModel.blockIndex("lm_head.weight"));
    }

    static TrainerConfig resumable(TunedModel tuned, Path dir) throws IOException {
        return Trainer.builder().setModel(tuned).setTokenizer(TOK).setTrainData(sentiment(24)).optBatchSize(4)
                .optGradientAccumulation(2).optMaxSteps(8).optLearningRate(5e-3).optWeightDecay(0.01)
                .optScheduler(LrSchedule.Kind.COSINE, 2).optCheckpoints(dir, 4, 3).optMaxLength(64).optSeed(7);
    }

    @Test
    void resumeContinuesExactlyLikeAnUninterruptedRun(@TempDir Path tmp) throws IOException {
        LoraConfig cfg = LoraConfig.defaults().withDropout(0.1).withTargets("all-linear");
        List<TrainingResult.Point> uninterrupted;
        try (TinyLm lm = model(); TunedModel tuned = TunedModel.lora(lm, cfg)) {
            uninterrupted = resumable(tuned, tmp.resolve("a")).build().train().lossCurve();
        }
        try (TinyLm lm = model(); TunedModel tuned = TunedModel.lora(lm, cfg)) {
            TrainingListener crash = new TrainingListener() {
                @Override
                public void onCheckpoint(int step, Path dir) {
                    throw new IllegalStateException("simulated crash after checkpoint " + step);
                }
            };
            assertThrows(IllegalStateException.class,
                    () -> resumable(tuned, tmp.resolve("b")).addListener(crash).build().train());
        }
        assertEquals(1, Checkpoints.list(tmp.resolve("b")).size());
        List<TrainingResult.Point> resumed;
        try (TinyLm lm = model(); TunedModel tuned = TunedModel.lora(lm, cfg)) {
            resumed = resumable(tuned, tmp.resolve("b")).optResumeFrom(tmp.resolve("b")).build().train().lossCurve();
        }
        assertEquals(8, uninterrupted.size());
        assertEquals(uninterrupted.size(), resumed.size());
        for (int i = 0; i < uninterrupted.size(); i++) {
            assertEquals(uninterrupted.get(i).value(), resumed.get(i).value(), 1e-6, "step " + (i + 1));
        }
    }

    @Test
    void nonFiniteLossStopsAndKeepsTheLastGoodCheckpoint(@TempDir Path tmp) throws IOException {
        try (TinyLm lm = model(); TunedModel tuned = TunedModel.full(lm)) {
            TrainingListener poison = new TrainingListener() {
                @Override
                public void onStep(Progress p) {
                    if (p.step() == 3) {
                        NDArray w = lm.parameters().get("lm_head.weight");
                        float[] v = w.toFloatArray();
                        v[0] = Float.NaN;
                        w.set(v);
                    }
                }
            };
            TrainingResult r = Trainer.builder().setModel(tuned).setTokenizer(TOK).setTrainData(sentiment(40))
                    .optBatchSize(4).optMaxSteps(10).optCheckpoints(tmp, 2, 5).addListener(poison).build().train();
            assertTrue(r.failed());
            assertEquals(3, r.steps());
            assertTrue(r.stopReason().startsWith("non-finite loss"), r.stopReason());
            assertEquals(tmp.resolve("checkpoint-2"), r.lastCheckpoint());
            assertEquals(List.of(tmp.resolve("checkpoint-2")), Checkpoints.list(tmp));
            try (NDManager m = NDManager.newBaseManager()) {
                float[] saved = Checkpoints.load(r.lastCheckpoint(), m).trainable().get("lm_head.weight").toFloatArray();
                for (float f : saved) {
                    assertTrue(Float.isFinite(f));
                }
            }
        }
    }

    @Test
    void paddedBatchLossEqualsTokenWeightedPerExampleLoss() throws IOException {
        List<TrainingExample> data = sentiment(3);
        try (TinyLm lm = model(); TunedModel tuned = TunedModel.full(lm); NDManager m = NDManager.newBaseManager()) {
            List<TrainingExample.Tokens> rows = new ArrayList<>();
            data.forEach(e -> rows.add(e.tokenize(TOK, 256, true)));
            assertTrue(rows.get(0).ids().length != rows.get(1).ids().length);
            double weighted = 0;
            int count = 0;
            for (TrainingExample.Tokens t : rows) {
                Batches.Batch one = Batches.collate(List.of(t), TOK.padId());
                weighted += Batches.loss(lm, one, m).getFloat() * one.lossTokens();
                count += one.lossTokens();
            }
            Batches.Batch all = Batches.collate(rows, TOK.padId());
            assertEquals(count, all.lossTokens());
            assertEquals(weighted / count, Batches.loss(lm, all, m).getFloat(), 1e-5);
            // completion-only loss: " positive" / " negative" (9 bytes) + EOS per example
            assertEquals(3 * 10, count);
        }
    }

    @Test
    void earlyStoppingOnACustomMetric() throws IOException {
        double[] values = {0.5, 0.6, 0.55, 0.58, 0.9};
        int[] calls = {0};
        try (TinyLm lm = model(); TunedModel tuned = TunedModel.lora(lm, LoraConfig.defaults())) {
            TrainingResult r = Trainer.builder().setModel(tuned).setTokenizer(TOK).setTrainData(sentiment(40))
                    .optBatchSize(4).optMaxSteps(20).optEvalEvery(2)
                    .optEvaluator(new Trainer.Evaluator("accuracy", t -> values[calls[0]++], true))
                    .optEarlyStopping("accuracy", 2).build().train();
            assertEquals(8, r.steps());
            assertTrue(r.stopReason().startsWith("early_stopping"), r.stopReason());
        }
    }

    @Test
    void invalidKnobsAreRefusedBeforeTraining() throws IOException {
        try (TinyLm lm = model(); TunedModel tuned = TunedModel.lora(lm, LoraConfig.defaults())) {
            var ex = assertThrows(IllegalArgumentException.class, () -> Trainer.builder().setModel(tuned)
                    .setTokenizer(TOK).setTrainData(sentiment(4)).optLearningRate(0).build());
            assertTrue(ex.getMessage().contains("learning rate"));
            ex = assertThrows(IllegalArgumentException.class,
                    () -> TunedModel.lora(lm, LoraConfig.defaults().withTargets("k_proj")));
            assertTrue(ex.getMessage().contains("k_proj") && ex.getMessage().contains("not found"), ex.getMessage());
            assertThrows(IllegalArgumentException.class, () -> LoraConfig.defaults().withR(0));
        }
    }

    @Test
    void bf16IsRefusedAndFp16CombinationsAreCheckedBeforeTraining() throws IOException {
        try (TinyLm lm = model(); TunedModel tuned = TunedModel.lora(lm, LoraConfig.defaults())) {
            var ex = assertThrows(IllegalArgumentException.class, () -> Trainer.builder().setModel(tuned)
                    .setTokenizer(TOK).setTrainData(sentiment(4)).optPrecision(Precision.BF16).build());
            assertTrue(ex.getMessage().contains("bf16") && ex.getMessage().contains("DJL")
                    && ex.getMessage().contains("fp16"), ex.getMessage());
            ex = assertThrows(IllegalArgumentException.class, () -> Trainer.builder().setModel(tuned).setTokenizer(TOK)
                    .setTrainData(sentiment(4)).optLossScaler(LossScaler.defaults()).build());
            assertTrue(ex.getMessage().contains("fp16 training only"), ex.getMessage());
            assertEquals(Precision.BF16, Precision.parse("bfloat16"));
            assertThrows(IllegalArgumentException.class, () -> Precision.parse("int4"));
            assertEquals(Precision.FP32, tuned.precision(), "a refused build must not touch the model");
            // fp16 builds and trains on the CPU (one step moves the adapter off its zero init)
            TrainingResult r = Trainer.builder().setModel(tuned).setTokenizer(TOK).setTrainData(sentiment(4))
                    .optPrecision(Precision.FP16).optMaxSteps(1).optLearningRate(1e-2).build().train();
            assertEquals(1, r.steps());
            assertEquals(Precision.FP16, tuned.precision());
            assertTrue(tuned.trainableParameters().get("model.layers.0.self_attn.q_proj.lora_B.weight").abs().sum()
                    .getFloat() > 0);
            // the frozen weights are fp16 now: an fp32 run on this model is refused, not silently mixed
            ex = assertThrows(IllegalArgumentException.class, () -> Trainer.builder().setModel(tuned).setTokenizer(TOK)
                    .setTrainData(sentiment(4)).build());
            assertTrue(ex.getMessage().contains("already in fp16"), ex.getMessage());
        }
    }

    @Test
    void qloraReplacesTheDenseBaseAndTrains() throws IOException {
        try (TinyLm lm = new TinyLm(259, 64, 2, 1, DataType.FLOAT32)) {
            NDArray q0 = lm.parameters().get("model.layers.0.self_attn.q_proj.weight");
            long denseBytes = 4L * 4 * 64 * 64;
            for (int bits : new int[]{4, 8}) {
                try (TinyLm fresh = new TinyLm(259, 64, 2, 1, DataType.FLOAT32);
                     TunedModel tuned = TunedModel.qlora(fresh, LoraConfig.defaults().withTargets("all-linear"),
                             new QuantConfig(bits, bits == 4, DataType.FLOAT32))) {
                    assertTrue(fresh.parameters().get("model.layers.0.self_attn.q_proj.weight").isReleased(),
                            "the fp32 base weight must be freed");
                    assertFalse(fresh.parameters().get("lm_head.weight").isReleased(), "lm_head is not targeted");
                    long quantBytes = 0;
                    for (LoraKernel k : tuned.loraKernels().values()) {
                        quantBytes += ((QuantizedKernel) k.base()).storageBytes();
                    }
                    double ratio = quantBytes / (double) denseBytes;
                    assertTrue(bits == 4 ? ratio <= 0.16 : ratio <= 0.27, bits + "-bit base ratio " + ratio);
                    long expectedFrozen = quantBytes + 4L * (259 * 64 + 64 * 259 + 3 * 64);
                    assertEquals(expectedFrozen, tuned.frozenWeightBytes());
                    TrainingResult r = Trainer.builder().setModel(tuned).setTokenizer(TOK).setTrainData(sentiment(64))
                            .optBatchSize(8).optMaxSteps(16).optLearningRate(1e-2).optMaxLength(80).build().train();
                    double first = r.lossCurve().get(0).value();
                    double last = r.lossCurve().subList(12, 16).stream().mapToDouble(TrainingResult.Point::value)
                            .average().orElseThrow();
                    assertTrue(last < 0.8 * first, bits + "-bit QLoRA loss " + first + " -> " + last);
                }
            }
            assertFalse(q0.isReleased());
        }
    }
}
