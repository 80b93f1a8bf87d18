package dev.tunelab.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelsTest {
    static {
        DjlSetup.ensure();
    }

    @TempDir
    Path dir;

    /** A folder on the classpath loads like a folder on disk (the embedded default model's route). */
    @Test
    void loadsAClasspathFolderAndRejectsMismatchedCheckpoints() throws Exception {
        Path classes = Path.of(ModelsTest.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path folder = classes.resolve("tunelab-test-model");
        try (LanguageModel lm = Models.random(LlamaConfig.tiny(300, 32, 64, 1, 4, 2, 64), new ByteTokenizer(), 2)) {
            Models.save(lm, folder);
            try (LanguageModel again = Models.load("classpath:tunelab-test-model/");
                 NDManager m = lm.model().manager().newSubManager()) {
                NDArray ids = m.create(new int[] {256, 7, 8}, new Shape(1, 3));
                assertArrayEquals(lm.model().forward(ids, null, null).toFloatArray(),
                        again.model().forward(ids, null, null).toFloatArray(), 0f);
                assertEquals(ByteTokenizer.EOS, again.tokenizer().eosId());
            }
            // config.json that does not match the weights: a clear error naming the tensor
            Models.save(lm, dir);
            Files.writeString(dir.resolve("config.json"), Files.readString(dir.resolve("config.json"))
                    .replace("\"intermediate_size\" : 64", "\"intermediate_size\" : 65"));
            IOException e = assertThrows(IOException.class, () -> Models.load(dir));
            assertTrue(e.getMessage().contains("mlp.gate_proj.weight") && e.getMessage().contains("config.json"),
                    e.getMessage());
            Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"llama\", \"hidden_size\": \"big\"}");
            e = assertThrows(IOException.class, () -> Models.load(dir));
            assertTrue(e.getMessage().contains("hidden_size") && e.getMessage().contains("config.json"), e.getMessage());
            Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"bert\"}");
            e = assertThrows(IOException.class, () -> Models.load(dir));
            assertTrue(e.getMessage().contains("bert"), e.getMessage());
        } finally {
            try (var s = Files.list(folder)) {
                for (Path p : s.toList()) {
                    Files.delete(p);
                }
            }
            Files.delete(folder);
        }
    }

    @Test
    void configJsonRoundTripsIncludingRopeScalingAndQwenBiases() throws Exception {
        LlamaConfig c = LlamaConfig.tiny(500, 64, 128, 3, 8, 2, 256).withModelType("qwen2")
                .withRope(500000.0, new LlamaConfig.RopeScaling(32.0, 1.0, 4.0, 8192)).withSpecialTokens(1, 2, 3);
        Files.writeString(dir.resolve("config.json"), c.toJson().toPrettyString());
        LlamaConfig back = LlamaConfig.load(dir.resolve("config.json"));
        assertEquals(c, back);
        assertTrue(back.attentionBias() && !back.outputBias(), "qwen2: q/k/v biases, no o_proj bias");
        Gpt2Config g = Gpt2Config.tiny(300, 48, 2, 4, 64);
        Files.writeString(dir.resolve("g.json"), g.toJson().toPrettyString());
        assertEquals(g, Gpt2Config.load(dir.resolve("g.json")));
    }

    /** config.json's torch_dtype names the dtype the safetensors file really holds (what from_pretrained "auto" reads). */
    @Test
    void torchDtypeFollowsTheStoredPrecision() throws Exception {
        try (LanguageModel lm = Models.random(LlamaConfig.tiny(300, 32, 64, 1, 4, 2, 64), new ByteTokenizer(), 2)) {
            Models.saveWeights(lm.model(), dir, Safetensors.Precision.BF16);
            assertEquals("bfloat16", ConfigJson.read(dir.resolve("config.json")).get("torch_dtype").asText());
            assertEquals("BF16", Safetensors.header(dir.resolve("model.safetensors")).tensors().get(0).dtype());
            Models.saveWeights(lm.model(), dir, Safetensors.Precision.F32);
            assertEquals("float32", ConfigJson.read(dir.resolve("config.json")).get("torch_dtype").asText());
        }
    }
}
