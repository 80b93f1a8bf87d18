package dev.tunelab.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** GPT-2 (Conv1D layout, learned positions, gelu_new, tied head) against the independent PyTorch reference. */
class Gpt2ParityTest {
    static {
        DjlSetup.ensure();
    }

    @TempDir
    static Path dir;
    static DecoderLanguageModel lm;
    static final int V = 272;

    @BeforeAll
    static void setUp() throws Exception {
        lm = (DecoderLanguageModel) Models.random(Gpt2Config.tiny(V, 48, 2, 4, 64), new ByteTokenizer(), 5);
        LlamaParityTest.perturb(lm.model());
        Models.save(lm, dir);
    }

    @AfterAll
    static void tearDown() {
        lm.close();
    }

    @Test
    void logitsMatchPyTorchWithLeftPadding() throws Exception {
        int[][] ids = LlamaParityTest.IDS;
        float[][] mask = LlamaParityTest.MASK;
        int t = ids[0].length;
        float[] ref = PyTorchReference.logits(dir, ids, mask);
        float[] ours;
        try (NDManager m = lm.model().manager().newSubManager()) {
            ours = lm.model().forward(m.create(LlamaParityTest.flatten(ids), new Shape(2, t)),
                    m.create(LlamaParityTest.flatten(mask), new Shape(2, t)), null).toFloatArray();
        }
        assertEquals(ref.length, ours.length);
        double max = 0;
        for (int b = 0; b < 2; b++) {
            for (int p = 0; p < t; p++) {
                if (mask[b][p] == 0) {
                    continue;
                }
                for (int j = 0; j < V; j++) {
                    int i = (b * t + p) * V + j;
                    max = Math.max(max, Math.abs(ref[i] - ours[i]));
                }
            }
        }
        System.out.println("gpt2 parity: max |logit diff| = " + max);
        assertTrue(max <= 1e-4, "max abs logit difference " + max);
        assertTrue(Math.abs(ref[7]) > 1e-3, "reference logits look degenerate");
    }

    @Test
    void greedyGenerationMatchesPyTorchCachedUncachedAndBatched() throws Exception {
        int n = 10;
        int[] p0 = LlamaParityTest.IDS[0];
        int[] p1 = {256, 65, 66};
        GenerationOptions o = GenerationOptions.defaults().withMaxNewTokens(n);
        int[] cached = lm.generateIds(List.of(p0), o).get(0).generatedIds();
        assertArrayEquals(cached, lm.generateIds(List.of(p0), o.withCache(false)).get(0).generatedIds());
        int[][] ref = PyTorchReference.greedy(dir, new int[][] {p0}, null, n);
        assertArrayEquals(LlamaParityTest.prefix(ref[0], cached.length), cached);
        List<Generation> batch = lm.generateIds(List.of(p0, p1), o);
        assertArrayEquals(cached, batch.get(0).generatedIds());
        assertArrayEquals(lm.generateIds(List.of(p1), o).get(0).generatedIds(), batch.get(1).generatedIds());
        assertTrue(cached.length >= 3, "stopped too early to compare: " + cached.length);
    }

    @Test
    void reloadRoundTripsTheConv1dLayout() throws Exception {
        try (LanguageModel again = Models.load(dir); NDManager m = lm.model().manager().newSubManager()) {
            NDArray ids = m.create(LlamaParityTest.IDS[0], new Shape(1, LlamaParityTest.IDS[0].length));
            assertArrayEquals(lm.model().forward(ids, null, null).toFloatArray(),
                    again.model().forward(ids, null, null).toFloatArray(), 0f);
            assertEquals(List.copyOf(lm.model().linears().keySet()), List.copyOf(again.model().linears().keySet()));
            assertTrue(again.model().linears().containsKey("transformer.h.1.attn.c_attn"));
            assertEquals(3 * 48, again.model().linears().get("transformer.h.1.attn.c_attn").outFeatures());
        }
    }
}
