package dev.tunelab.model;

import ai.djl.engine.Engine;
import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Backward through the Llama graph (tied head, 4 query heads sharing 1 kv head) against PyTorch autograd. */
class LlamaAutogradTest {
    static {
        DjlSetup.ensure();
    }

    @TempDir
    Path dir;

    @Test
    void gradientsMatchPyTorchAndNothingLeaksIntoTheModelManager() throws Exception {
        LlamaConfig config = LlamaConfig.tiny(300, 32, 64, 2, 4, 1, 64);
        List<String> names = List.of("model.embed_tokens.weight", "model.layers.0.self_attn.q_proj.weight",
                "model.layers.1.self_attn.k_proj.weight", "model.layers.0.mlp.down_proj.weight",
                "model.layers.1.input_layernorm.weight", "model.norm.weight");
        int[] ids = {256, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110};
        try (LanguageModel lm = Models.random(config, new ByteTokenizer(), 11)) {
            LlamaParityTest.perturb(lm.model());
            Models.save(lm, dir);
            CausalLM model = lm.model();
            for (NDArray p : model.parameters().values()) {
                p.setRequiresGradient(true);
            }
            int before = ((BaseNDManager) model.manager()).getManagedArrays().size();
            float javaLoss;
            float[] javaGrads;
            try (NDManager m = model.manager().newSubManager();
                 GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                NDArray input = m.create(ids, new Shape(1, ids.length));
                NDArray logits = model.forward(input, null, null);
                NDArray logProbs = logits.get(":, :-1, :").logSoftmax(-1);
                NDArray targets = input.get(":, 1:").toType(DataType.INT64, false).oneHot(300, DataType.FLOAT32);
                NDArray loss = logProbs.mul(targets).sum().div(m.create((float) -(ids.length - 1)));
                System.gc(); // a freed Java scalar buffer would corrupt backward: provoke it
                gc.backward(loss);
                javaLoss = loss.getFloat();
                java.util.List<Float> all = new java.util.ArrayList<>();
                for (String n : names) {
                    try (NDArray g = model.parameters().get(n).getGradient()) {
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
            assertEquals(before, ((BaseNDManager) model.manager()).getManagedArrays().size(),
                    "forward/backward left arrays in the model's manager");

            Path out = Files.createTempFile(dir, "grads", ".f32");
            JsonNode r = PyTorchReference.run(dir, "grad", Map.of("ids", new int[][] {ids}, "names", names),
                    out.toString());
            ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(out)).order(ByteOrder.LITTLE_ENDIAN);
            float[] ref = new float[b.remaining() / 4];
            b.asFloatBuffer().get(ref);
            assertEquals(r.get("loss").asDouble(), javaLoss, 1e-4);
            assertEquals(ref.length, javaGrads.length);
            double max = 0;
            double scale = 0;
            for (int i = 0; i < ref.length; i++) {
                max = Math.max(max, Math.abs(ref[i] - javaGrads[i]));
                scale = Math.max(scale, Math.abs(ref[i]));
            }
            System.out.println("llama autograd: loss " + javaLoss + ", max |grad diff| " + max + " (max |grad| " + scale + ")");
            assertTrue(scale > 1e-3, "reference gradients look degenerate");
            assertTrue(max <= 1e-4 * Math.max(1, scale), "max abs gradient difference " + max);
        }
    }
}
