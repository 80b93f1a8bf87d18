package dev.tunelab.tune;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tunelab.model.ByteTokenizer;
import dev.tunelab.model.CausalLM;
import dev.tunelab.model.DjlSetup;
import dev.tunelab.model.LanguageModel;
import dev.tunelab.model.Linear;
import dev.tunelab.model.LlamaConfig;
import dev.tunelab.model.Models;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * fp16 mixed precision on a random Llama (tied head) against the independent torch reference
 * (reference_models.py, "precision": "fp16": every linear's input, weight and output rounded to fp16 around an fp32
 * matmul, which is what an fp16 GEMM with fp32 accumulation computes; torch 1.13 has no CPU fp16 matmul).
 */
class MixedPrecisionTest {
    static final LlamaConfig CONFIG = LlamaConfig.tiny(259, 64, 128, 2, 4, 2, 256);
    static final int[] IDS = {256, 84, 104, 101, 32, 102, 111, 111, 100, 32, 119, 97, 115, 32, 103, 114, 101, 97, 116};

    @TempDir
    static Path dir;

    @BeforeAll
    static void setup() {
        DjlSetup.ensure();
    }

    static LanguageModel llama() {
        LanguageModel lm = Models.random(CONFIG, new ByteTokenizer(), 7);
        scaleUp(lm.model());
        return lm;
    }

    /** Random init (std 0.02) gives near-zero logits; larger weights make fp16 rounding visible in the logits. */
    static void scaleUp(CausalLM model) {
        try (NDManager m = model.manager().newSubManager()) {
            NDArray k = m.create(12f);
            for (Map.Entry<String, NDArray> e : model.parameters().entrySet()) {
                if (!e.getKey().contains("norm")) {
                    e.getValue().muli(k);
                }
            }
        }
    }

    static float[] logits(CausalLM model) {
        try (NDManager m = model.manager().newSubManager()) {
            return model.forward(m.create(IDS, new Shape(1, IDS.length)), null, null).toFloatArray();
        }
    }

    static JsonNode reference(Path modelDir, String mode, String precision, Map<String, Object> extra, Path out)
            throws Exception {
        String script;
        try (InputStream in = MixedPrecisionTest.class.getResourceAsStream("/dev/tunelab/model/reference_models.py")) {
            script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Map<String, Object> req = new LinkedHashMap<>(extra);
        req.put("ids", new int[][] {IDS});
        req.put("precision", precision);
        Path reqFile = Files.createTempFile(dir, "req", ".json");
        new ObjectMapper().writeValue(reqFile.toFile(), req);
        String text = Py.run(script, dir, mode, modelDir.toString(), reqFile.toString(), out.toString()).strip();
        return new ObjectMapper().readTree(text.substring(text.lastIndexOf('\n') + 1));
    }

    static double maxAbsDiff(float[] a, float[] b) {
        assertEquals(a.length, b.length);
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    static double maxAbs(float[] a) {
        double m = 0;
        for (float v : a) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }

    @Test
    void fp16LogitsMatchTheTorchEmulationAndDifferFromFp32ByAnFp16SizedAmount() throws Exception {
        Path modelDir = dir.resolve("llama-logits");
        float[] ours32;
        float[] ours16;
        try (LanguageModel lm = llama()) {
            Models.save(lm, modelDir);
            ours32 = logits(lm.model());
            try (TunedModel tuned = TunedModel.lora(lm.model(), LoraConfig.defaults().withTargets("all-linear"))) {
                tuned.setPrecision(Precision.FP16);
                tuned.setTraining(false);
                ours16 = logits(lm.model()); // B = 0: the adapters add exactly nothing
            }
        }
        Path f32 = dir.resolve("ref32.f32");
        Path f16 = dir.resolve("ref16.f32");
        reference(modelDir, "logits", "fp32", Map.of(), f32);
        reference(modelDir, "logits", "fp16", Map.of(), f16);
        float[] ref32 = Py.readFloats(f32);
        float[] ref16 = Py.readFloats(f16);
        double scale = maxAbs(ref32);
        double fp16Effect = meanAbsDiff(ref16, ref32);
        double ours16VsRef = meanAbsDiff(ours16, ref16);
        double ours16VsFp32 = meanAbsDiff(ours16, ref32);
        double ours32VsRef = maxAbsDiff(ours32, ref32);
        int exact = 0;
        for (int i = 0; i < ref16.length; i++) {
            exact += ours16[i] == ref16[i] ? 1 : 0;
        }
        double worstUlps = maxAbsDiff(ours16, ref16) / fp16Ulp((float) scale);
        System.out.printf("fp16 logits: max |logit| %.4f; mean |ref16-ref32| %.3g, mean |ours16-ref16| %.3g, "
                        + "mean |ours16-ref32| %.3g; ours16 == ref16 for %d of %d, worst %.2f fp16 ulp of max |logit|; "
                        + "max |ours32-ref32| %.3g%n", scale, fp16Effect, ours16VsRef, ours16VsFp32, exact,
                ref16.length, worstUlps, ours32VsRef);
        assertTrue(scale > 1, "logits too small to see fp16 rounding: " + scale);
        // fp16 keeps 11 significant bits: its effect on the logits is a few units of 2^-11 relative, no more
        assertTrue(fp16Effect > 1e-5 * scale && fp16Effect < 5e-3 * scale, "fp16 effect " + fp16Effect);
        // ours computes the same casts: nearly all logits are bit-identical to the fp16 emulation, the others sit a
        // rounding step away (an fp32 difference of 1e-7 upstream can flip an fp16 rounding); fp32 is much further
        assertTrue(exact > 0.9 * ref16.length, exact + " of " + ref16.length + " logits identical");
        assertTrue(worstUlps <= 2, "worst difference " + worstUlps + " fp16 ulps");
        assertTrue(ours16VsRef < 0.05 * fp16Effect, "ours fp16 vs torch fp16 " + ours16VsRef + " vs effect " + fp16Effect);
        assertTrue(ours16VsFp32 > 0.5 * fp16Effect, "our fp16 logits look like fp32: " + ours16VsFp32);
        assertTrue(ours32VsRef < 1e-4 * scale, "fp32 parity " + ours32VsRef);
    }

    static double meanAbsDiff(float[] a, float[] b) {
        assertEquals(a.length, b.length);
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += Math.abs(a[i] - b[i]);
        }
        return s / a.length;
    }

    /** Spacing of fp16 numbers around {@code v} (normal range: 2^(exponent - 10)). */
    static double fp16Ulp(float v) {
        double a = Math.max(Math.abs(v), 0x1p-14);
        return Math.pow(2, Math.floor(Math.log(a) / Math.log(2)) - 10);
    }

    @Test
    void fullFineTuningGradientsReachTheFp32MastersThroughTheCasts() throws Exception {
        Path modelDir = dir.resolve("llama-grads");
        List<String> names = List.of("model.embed_tokens.weight", "model.layers.0.self_attn.q_proj.weight",
                "model.layers.1.self_attn.k_proj.weight", "model.layers.0.mlp.down_proj.weight",
                "model.layers.1.input_layernorm.weight", "model.norm.weight");
        float javaLoss;
        float[] javaGrads;
        try (LanguageModel lm = llama(); TunedModel tuned = TunedModel.full(lm.model())) {
            Models.save(lm, modelDir);
            tuned.setPrecision(Precision.FP16);
            CausalLM model = lm.model();
            for (String n : names) {
                assertEquals(DataType.FLOAT32, model.parameters().get(n).getDataType(), n + " master must stay fp32");
            }
            try (NDManager m = model.manager().newSubManager();
                 GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray input = m.create(IDS, new Shape(1, IDS.length));
                NDArray logProbs = model.forward(input, null, null).get(":, :-1, :").logSoftmax(-1);
                NDArray targets = input.get(":, 1:").toType(DataType.INT64, false).oneHot(CONFIG.vocabSize(),
                        DataType.FLOAT32);
                NDArray loss = logProbs.mul(targets).sum().div(m.create((float) -(IDS.length - 1)));
                System.gc();
                gc.backward(loss);
                javaLoss = loss.getFloat();
                List<Float> all = new ArrayList<>();
                for (String n : names) {
                    try (NDArray g = model.parameters().get(n).getGradient()) {
                        assertEquals(DataType.FLOAT32, g.getDataType());
                        for (float f : g.toFloatArray()) {
                            all.add(f);
                        }
                    }
                }
                javaGrads = new float[all.size()];
                for (int i = 0; i < javaGrads.length; i++) {
                    javaGrads[i] = all.get(i);
                }
            }
        }
        Path g16 = dir.resolve("grad16.f32");
        Path g32 = dir.resolve("grad32.f32");
        JsonNode r16 = reference(modelDir, "grad", "fp16", Map.of("names", names), g16);
        JsonNode r32 = reference(modelDir, "grad", "fp32", Map.of("names", names), g32);
        float[] ref16 = Py.readFloats(g16);
        float[] ref32 = Py.readFloats(g32);
        double scale = maxAbs(ref32);
        double fp16Effect = meanAbsDiff(ref16, ref32);
        double ours = meanAbsDiff(javaGrads, ref16);
        double oursMax = maxAbsDiff(javaGrads, ref16);
        double fp16EffectMax = maxAbsDiff(ref16, ref32);
        System.out.printf("fp16 grads: loss ours %.6f ref16 %.6f ref32 %.6f; max |g| %.4g; mean |ref16-ref32| %.3g, "
                + "mean |ours-ref16| %.3g; max |ref16-ref32| %.3g, max |ours-ref16| %.3g%n", javaLoss,
                r16.get("loss").asDouble(), r32.get("loss").asDouble(), scale, fp16Effect, ours, fp16EffectMax, oursMax);
        assertTrue(scale > 1e-3, "degenerate reference gradients");
        assertTrue(fp16Effect > 1e-6 * scale, "fp16 should change the gradients a little: " + fp16Effect);
        // the same roundings on both sides: the gradients agree ~10x better than fp16 agrees with fp32 (measured
        // 0.11 of the mean, 0.19 of the max difference); gradients cut at a cast or computed in fp32 would give ~1
        assertTrue(ours < 0.25 * fp16Effect, "ours vs torch fp16 gradients " + ours + " (fp16 effect " + fp16Effect + ")");
        assertTrue(oursMax < 0.5 * fp16EffectMax, "max gradient difference " + oursMax + " vs " + fp16EffectMax);
        assertEquals(r16.get("loss").asDouble(), javaLoss, 0.1 * Math.abs(r16.get("loss").asDouble() - r32.get("loss").asDouble()) + 1e-5);
    }

    @Test
    void frozenLinearWeightsAreStoredInFp16AtHalfTheBytes() throws Exception {
        try (LanguageModel lm = llama(); TunedModel tuned = TunedModel.lora(lm.model(),
                LoraConfig.defaults().withTargets("q_proj,v_proj"))) {
            CausalLM model = lm.model();
            String q = "model.layers.0.self_attn.q_proj.weight";
            NDArray q32 = model.parameters().get(q);
            float[] before = q32.toFloatArray();
            long bytes32 = tuned.frozenWeightBytes();
            long linearWeights = 0;
            for (Linear l : model.linears().values()) {
                if (!l.name().equals("lm_head")) {
                    linearWeights += (long) l.inFeatures() * l.outFeatures();
                }
            }
            tuned.setPrecision(Precision.FP16);
            assertEquals(Precision.FP16, tuned.precision());
            assertTrue(q32.isReleased(), "the fp32 copy of a frozen weight must be freed");
            NDArray q16 = model.parameters().get(q);
            assertEquals(DataType.FLOAT16, q16.getDataType());
            assertEquals(DataType.FLOAT32, model.parameters().get("model.embed_tokens.weight").getDataType(),
                    "the embedding (and the head tied to it) stays fp32");
            assertEquals(DataType.FLOAT32, model.parameters().get("model.norm.weight").getDataType());
            for (NDArray p : tuned.trainableParameters().values()) {
                assertEquals(DataType.FLOAT32, p.getDataType(), "LoRA A/B stay fp32");
            }
            // every frozen linear weight except the tied head now takes 2 bytes instead of 4
            assertEquals(bytes32 - 2 * linearWeights, tuned.frozenWeightBytes());
            float[] after = q16.toType(DataType.FLOAT32, false).toFloatArray();
            int changed = 0;
            for (int i = 0; i < before.length; i++) {
                // round to nearest fp16: relative error at most 2^-11 (these weights are far from fp16 subnormals)
                assertTrue(Math.abs(after[i] - before[i]) <= Math.abs(before[i]) * 0x1p-11 + 1e-7, i + ": " + before[i]
                        + " -> " + after[i]);
                changed += after[i] != before[i] ? 1 : 0;
            }
            assertTrue(changed > before.length / 2, "weights were not rounded to fp16 (" + changed + " changed)");
            Linear qLinear = model.linears().get("model.layers.0.self_attn.q_proj");
            LoraKernel lora = tuned.loraKernels().get("model.layers.0.self_attn.q_proj");
            assertSame(lora, qLinear.kernel());
            assertTrue(lora.base() instanceof MixedPrecisionKernel mp && !mp.castsWeightPerForward());
            assertTrue(model.linears().get("lm_head").baseKernel() instanceof MixedPrecisionKernel head
                    && head.castsWeightPerForward(), "the tied head casts the fp32 embedding per forward");
        }
    }

    @Test
    void freezeInFp16SavesACheckpointWithTheRoundedFrozenWeights(@TempDir Path out) throws Exception {
        try (LanguageModel lm = llama(); TunedModel tuned = TunedModel.freeze(lm.model(), 1, true)) {
            String frozen = "model.layers.0.mlp.up_proj.weight";
            String trained = "model.layers.1.mlp.up_proj.weight";
            tuned.setPrecision(Precision.FP16);
            assertEquals(DataType.FLOAT16, lm.model().parameters().get(frozen).getDataType());
            assertEquals(DataType.FLOAT32, lm.model().parameters().get(trained).getDataType());
            float[] frozen16 = lm.model().parameters().get(frozen).toType(DataType.FLOAT32, false).toFloatArray();
            Models.save(lm, out);
            try (LanguageModel back = Models.load(out)) {
                float[] saved = back.model().parameters().get(frozen).toFloatArray();
                assertEquals(DataType.FLOAT32, back.model().parameters().get(frozen).getDataType());
                assertEquals(0.0, maxAbsDiff(frozen16, saved), "saved frozen weight = its fp16 value");
                assertNotEquals(0.0, maxAbs(saved));
            }
        }
    }

    @Test
    void qloraWithAnFp16ComputeTypeDequantisesIntoFp16AndKeepsTheNf4Storage() throws Exception {
        float[] q32;
        float[] q16;
        long frozen32;
        long frozen16;
        LoraConfig cfg = LoraConfig.defaults().withTargets("all-linear");
        try (LanguageModel lm = llama(); TunedModel tuned = TunedModel.qlora(lm.model(), cfg, QuantConfig.nf4())) {
            tuned.setTraining(false);
            q32 = logits(lm.model());
            frozen32 = tuned.frozenWeightBytes();
        }
        try (LanguageModel lm = llama(); TunedModel tuned = TunedModel.qlora(lm.model(), cfg,
                new QuantConfig(4, true, DataType.FLOAT16))) {
            assertEquals(Precision.FP16, tuned.precision(), "an fp16 compute type means fp16 matmuls");
            LoraKernel k = tuned.loraKernels().get("model.layers.1.mlp.down_proj");
            assertTrue(k.storedBase() instanceof Nf4Kernel nf4 && nf4.computeType() == DataType.FLOAT16);
            tuned.setTraining(false);
            q16 = logits(lm.model());
            frozen16 = tuned.frozenWeightBytes();
            var result = Trainer.builder().setModel(tuned).setTokenizer(lm.tokenizer())
                    .setTrainData(TrainerTest.sentiment(16)).optBatchSize(8).optMaxSteps(2).optLearningRate(1e-2)
                    .optMaxLength(48).optPrecision(Precision.FP16).build().train();
            assertFalse(result.failed(), result.stopReason());
            assertEquals(0, result.skippedSteps());
        }
        double scale = maxAbs(q32);
        double diff = meanAbsDiff(q16, q32);
        System.out.printf("QLoRA fp16 vs fp32 compute: mean |diff| %.3g, max |logit| %.3f%n", diff, scale);
        assertEquals(frozen32, frozen16, "NF4 storage does not depend on the compute type (the tied head stays fp32)");
        assertTrue(diff > 0 && diff < 2e-3 * scale, "fp16 dequantisation changes the logits by " + diff);
    }

    @Test
    void reducedPrecisionOnlyFromFp32AndBf16IsRefusedBeforeTouchingDjl() {
        try (LanguageModel lm = llama(); TunedModel tuned = TunedModel.lora(lm.model(), LoraConfig.defaults())) {
            var bf16 = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> tuned.setPrecision(Precision.BF16));
            assertTrue(bf16.getMessage().contains("bf16") && bf16.getMessage().contains("DJL"), bf16.getMessage());
            assertEquals(Precision.FP32, tuned.precision());
            var q = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> new QuantConfig(4, true, DataType.BFLOAT16));
            assertTrue(q.getMessage().contains("bf16"), q.getMessage());
            tuned.setPrecision(Precision.FP16);
            var back = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> tuned.setPrecision(Precision.FP32));
            assertTrue(back.getMessage().contains("reload"), back.getMessage());
            assertFalse(tuned.trainableParameters().isEmpty());
            tuned.close();
            // the model stays in fp16 after its TunedModel is closed: a new adapter sees that, other methods refuse
            try (TunedModel again = TunedModel.lora(lm.model(), LoraConfig.defaults())) {
                assertEquals(Precision.FP16, again.precision());
            }
            var full = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> TunedModel.full(lm.model()));
            assertTrue(full.getMessage().contains("fp32 model"), full.getMessage());
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> TunedModel.qlora(lm.model(), LoraConfig.defaults(), QuantConfig.nf4()));
        }
    }
}
