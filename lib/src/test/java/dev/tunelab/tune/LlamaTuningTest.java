package dev.tunelab.tune;

import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tunelab.model.ByteTokenizer;
import dev.tunelab.model.CausalLM;
import dev.tunelab.model.DjlSetup;
import dev.tunelab.model.LanguageModel;
import dev.tunelab.model.LlamaConfig;
import dev.tunelab.model.Models;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The tuning methods on the model package's Llama. */
class LlamaTuningTest {
    static final LlamaConfig CONFIG = LlamaConfig.tiny(259, 64, 128, 2, 4, 2, 256);

    @BeforeAll
    static void setup() {
        DjlSetup.ensure();
    }

    static LanguageModel llama() {
        return Models.random(CONFIG, new ByteTokenizer(), 5);
    }

    static float[] logits(CausalLM model) {
        int[] ids = {256, 84, 104, 101, 32, 102, 111, 111, 100, 32, 119, 97, 115};
        try (NDManager m = model.manager().newSubManager()) {
            return model.forward(m.create(ids, new Shape(1, ids.length)), null, null).toFloatArray();
        }
    }

    static int managed(CausalLM model) {
        return ((BaseNDManager) model.manager()).getManagedArrays().size();
    }

    @Test
    void everyMethodTrainsWithoutLeakingIntoTheModelManager() throws Exception {
        List<TrainingExample> data = TrainerTest.sentiment(24);
        List<Function<CausalLM, TunedModel>> methods = List.of(TunedModel::full, m -> TunedModel.freeze(m, 1, true),
                m -> TunedModel.lora(m, LoraConfig.defaults().withTargets("all-linear")),
                m -> TunedModel.qlora(m, LoraConfig.defaults(), QuantConfig.nf4()),
                m -> TunedModel.qlora(m, LoraConfig.defaults(), QuantConfig.int8()));
        for (Function<CausalLM, TunedModel> method : methods) {
            try (LanguageModel lm = llama(); TunedModel tuned = method.apply(lm.model())) {
                int before = managed(lm.model());
                TrainingResult r = Trainer.builder().setModel(tuned).setTokenizer(lm.tokenizer()).setTrainData(data)
                        .optValidationData(data.subList(0, 4)).optBatchSize(4).optMaxSteps(4).optLearningRate(5e-3)
                        .optMaxLength(64).build().train();
                assertFalse(r.failed());
                assertTrue(r.lossCurve().get(3).value() < r.lossCurve().get(0).value(),
                        tuned.method() + " loss " + r.lossCurve());
                assertEquals(before, managed(lm.model()), tuned.method() + " left arrays in the model's manager");
            }
        }
    }

    @Test
    void everyMethodTrainsInFp16WithoutLeakingIntoTheModelManager() throws Exception {
        List<TrainingExample> data = TrainerTest.sentiment(24);
        List<Function<CausalLM, TunedModel>> methods = List.of(TunedModel::full, m -> TunedModel.freeze(m, 1, true),
                m -> TunedModel.lora(m, LoraConfig.defaults().withTargets("all-linear")),
                m -> TunedModel.qlora(m, LoraConfig.defaults(), QuantConfig.nf4()),
                m -> TunedModel.qlora(m, LoraConfig.defaults(), QuantConfig.int8()));
        for (Function<CausalLM, TunedModel> method : methods) {
            try (LanguageModel lm = llama(); TunedModel tuned = method.apply(lm.model())) {
                tuned.setPrecision(Precision.FP16);
                int before = managed(lm.model());
                TrainingResult r = Trainer.builder().setModel(tuned).setTokenizer(lm.tokenizer()).setTrainData(data)
                        .optValidationData(data.subList(0, 4)).optBatchSize(4).optMaxSteps(4).optLearningRate(5e-3)
                        .optMaxLength(64).optPrecision(Precision.FP16).build().train();
                assertFalse(r.failed(), tuned.method() + ": " + r.stopReason());
                assertEquals(0, r.skippedSteps(), tuned.method() + " skipped steps");
                assertTrue(r.lossCurve().get(3).value() < r.lossCurve().get(0).value(),
                        tuned.method() + " fp16 loss " + r.lossCurve());
                assertEquals(before, managed(lm.model()), tuned.method() + " left arrays in the model's manager");
                for (NDArray p : tuned.trainableParameters().values()) {
                    assertEquals(ai.djl.ndarray.types.DataType.FLOAT32, p.getDataType(), "trainable tensors stay fp32");
                }
            }
        }
    }

    @Test
    void qloraBaseIsAtMostSixteenPercentOfFp32AndAdaptersRoundTrip(@TempDir Path tmp) throws Exception {
        try (LanguageModel lm = llama()) {
            long linearFp32 = 0;
            for (var l : lm.model().linears().values()) {
                if (!l.name().equals("lm_head")) {
                    linearFp32 += 4L * l.inFeatures() * l.outFeatures();
                }
            }
            try (TunedModel tuned = TunedModel.qlora(lm.model(), LoraConfig.defaults().withTargets("all-linear"),
                    QuantConfig.nf4())) {
                long quant = 0;
                for (LoraKernel k : tuned.loraKernels().values()) {
                    quant += ((QuantizedKernel) k.base()).storageBytes();
                }
                assertTrue(quant <= 0.16 * linearFp32, "QLoRA base " + quant + " of " + linearFp32);
                long embeddingsAndNorms = 4L * (259 * 64 + 5 * 64);
                assertEquals(quant + embeddingsAndNorms, tuned.frozenWeightBytes());
                Trainer.builder().setModel(tuned).setTokenizer(lm.tokenizer()).setTrainData(TrainerTest.sentiment(8))
                        .optBatchSize(4).optMaxSteps(2).optLearningRate(1e-2).optMaxLength(48).build().train();
                tuned.setTraining(false);
                float[] trained = logits(lm.model());
                tuned.saveAdapter(tmp, "random-llama");
                // a fresh base quantised the same way + the saved adapter gives identical logits
                try (LanguageModel fresh = llama(); TunedModel again = TunedModel.qlora(fresh.model(),
                        LoraConfig.defaults().withTargets("all-linear"), QuantConfig.nf4())) {
                    again.loadAdapter(tmp, "trained");
                    again.setTraining(false);
                    assertArrayEquals(trained, logits(fresh.model()));
                }
            }
        }
    }

    @Test
    void loraAdapterOnLlamaSavesLoadsAndMerges(@TempDir Path tmp) throws Exception {
        try (LanguageModel lm = llama()) {
            float[] base = logits(lm.model());
            try (TunedModel tuned = TunedModel.lora(lm.model(), LoraConfig.defaults().withTargets("regex:.*\\.(q|k|v|o)_proj"))) {
                assertEquals(8, tuned.loraKernels().size());
                Trainer.builder().setModel(tuned).setTokenizer(lm.tokenizer()).setTrainData(TrainerTest.sentiment(8))
                        .optBatchSize(4).optMaxSteps(3).optLearningRate(1e-2).optMaxLength(48).build().train();
                tuned.setTraining(false);
                float[] trained = logits(lm.model());
                tuned.saveAdapter(tmp, "random-llama");
                tuned.mergeAdapter();
                float[] merged = logits(lm.model());
                assertArrayEquals(trained, merged, 1e-5f);
                tuned.unmergeAdapter();
                try (LanguageModel fresh = llama(); TunedModel loaded = TunedModel.fromAdapter(fresh.model(), tmp)) {
                    loaded.setTraining(false);
                    assertArrayEquals(trained, logits(fresh.model()));
                }
            }
            assertArrayEquals(base, logits(lm.model()), 1e-6f);
        }
    }
}
