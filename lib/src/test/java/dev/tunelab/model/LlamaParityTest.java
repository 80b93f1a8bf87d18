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
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Llama (GQA + Qwen2 q/k/v biases + Llama-3 rope scaling, untied head) against an independent PyTorch
 * implementation reading the safetensors file Java wrote.
 */
class LlamaParityTest {
    static {
        DjlSetup.ensure();
    }

    @TempDir
    static Path dir;
    static DecoderLanguageModel lm;

    static final int[][] IDS = {
            {256, 72, 101, 108, 108, 111, 44, 32, 119, 111, 114, 108},
            {258, 258, 258, 256, 84, 104, 101, 32, 99, 97, 116, 32}};
    static final float[][] MASK = {
            {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1},
            {0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1}};

    @BeforeAll
    static void setUp() throws Exception {
        LlamaConfig config = LlamaConfig.tiny(300, 64, 96, 2, 4, 2, 128)
                .withModelType("qwen2")
                .withTiedEmbeddings(false)
                .withRope(10000.0, new LlamaConfig.RopeScaling(8.0, 1.0, 4.0, 32));
        lm = (DecoderLanguageModel) Models.random(config, new ByteTokenizer(), 7);
        perturb(lm.model());
        Models.save(lm, dir);
    }

    /** Non-trivial norms and biases and a sharp output head, so every parameter matters and argmax has no ties. */
    static void perturb(CausalLM model) {
        NDManager m = model.manager();
        java.util.Random r = new java.util.Random(3);
        for (Map.Entry<String, NDArray> e : model.parameters().entrySet()) {
            NDArray p = e.getValue();
            float[] noise = new float[(int) p.size()];
            boolean norm = e.getKey().contains("norm") || e.getKey().contains("ln_");
            boolean bias = e.getKey().endsWith(".bias");
            if (!norm && !bias) {
                continue;
            }
            for (int i = 0; i < noise.length; i++) {
                noise[i] = (float) (r.nextGaussian() * (norm ? 0.3 : 0.05));
            }
            try (NDArray n = m.create(noise, p.getShape())) {
                p.addi(n);
            }
        }
        NDArray head = model.linears().get("lm_head").base().weight();
        try (NDArray k = m.create(40f)) {
            head.muli(k);
        }
    }

    @AfterAll
    static void tearDown() {
        lm.close();
    }

    @Test
    void logitsMatchPyTorchWithLeftPadding() throws Exception {
        float[] ref = PyTorchReference.logits(dir, IDS, MASK);
        float[] ours;
        try (NDManager m = lm.model().manager().newSubManager()) {
            NDArray ids = m.create(flatten(IDS), new Shape(2, IDS[0].length));
            NDArray mask = m.create(flatten(MASK), new Shape(2, IDS[0].length));
            ours = lm.model().forward(ids, mask, null).toFloatArray();
        }
        assertEquals(ref.length, ours.length);
        int v = 300;
        double max = 0;
        for (int b = 0; b < 2; b++) {
            for (int t = 0; t < IDS[0].length; t++) {
                if (MASK[b][t] == 0) {
                    continue;
                }
                for (int j = 0; j < v; j++) {
                    int i = (b * IDS[0].length + t) * v + j;
                    max = Math.max(max, Math.abs(ref[i] - ours[i]));
                }
            }
        }
        System.out.println("llama parity: max |logit diff| = " + max);
        assertTrue(max <= 1e-4, "max abs logit difference " + max);
        assertTrue(Math.abs(ref[5]) > 1e-3, "reference logits look degenerate");
    }

    @Test
    void reloadedCheckpointGivesIdenticalLogits() throws Exception {
        try (LanguageModel again = Models.load(dir); NDManager m = lm.model().manager().newSubManager()) {
            NDArray ids = m.create(flatten(IDS), new Shape(2, IDS[0].length));
            float[] a = lm.model().forward(ids, null, null).toFloatArray();
            float[] b = again.model().forward(ids, null, null).toFloatArray();
            assertArrayEquals(a, b, 0f);
        }
    }

    @Test
    void incrementalDecodingWithCacheMatchesFullForward() {
        try (NDManager m = lm.model().manager().newSubManager(); KvCache cache = lm.model().newCache()) {
            int t = IDS[0].length;
            NDArray ids = m.create(flatten(IDS), new Shape(2, t));
            NDArray mask = m.create(flatten(MASK), new Shape(2, t));
            float[] full = lm.model().forward(ids, mask, null).toFloatArray();
            int split = 7;
            lm.model().forward(ids.get(":, :" + split), mask.get(":, :" + split), cache);
            for (int s = split; s < t; s++) {
                float[] step = lm.model().forward(ids.get(":, " + s + ":" + (s + 1)),
                        mask.get(":, " + s + ":" + (s + 1)), cache).toFloatArray();
                for (int b = 0; b < 2; b++) {
                    for (int j = 0; j < 300; j++) {
                        float want = full[(b * t + s) * 300 + j];
                        assertEquals(want, step[b * 300 + j], 1e-4, "position " + s + " row " + b);
                    }
                }
            }
            assertEquals(t, cache.length());
        }
    }

    @Test
    void greedyGenerationMatchesPyTorchWithAndWithoutCacheAndBatched() throws Exception {
        int n = 12;
        int[] p0 = IDS[0];
        int[] p1 = java.util.Arrays.copyOfRange(IDS[1], 3, IDS[1].length);
        GenerationOptions o = GenerationOptions.defaults().withMaxNewTokens(n).withStop(List.of());
        // EOS (257) must not end generation early in this comparison: compare raw ids from the reference.
        int[][] ref = PyTorchReference.greedy(dir, new int[][] {p0}, null, n);
        int[][] ref1 = PyTorchReference.greedy(dir, new int[][] {p1}, null, n);
        int[] cached = lm.generateIds(List.of(p0), o).get(0).generatedIds();
        int[] uncached = lm.generateIds(List.of(p0), o.withCache(false)).get(0).generatedIds();
        assertArrayEquals(prefix(ref[0], cached.length), cached);
        assertArrayEquals(cached, uncached);
        List<Generation> batch = lm.generateIds(List.of(p0, p1), o);
        assertArrayEquals(cached, batch.get(0).generatedIds());
        int[] single1 = lm.generateIds(List.of(p1), o).get(0).generatedIds();
        assertArrayEquals(single1, batch.get(1).generatedIds());
        assertArrayEquals(prefix(ref1[0], single1.length), single1);
        assertTrue(cached.length >= 3, "generation stopped too early to compare: " + cached.length);
    }

    static int[] prefix(int[] a, int n) {
        return java.util.Arrays.copyOf(a, n);
    }

    static int[] flatten(int[][] a) {
        return java.util.Arrays.stream(a).flatMapToInt(java.util.Arrays::stream).toArray();
    }

    static float[] flatten(float[][] a) {
        float[] out = new float[a.length * a[0].length];
        for (int i = 0; i < a.length; i++) {
            System.arraycopy(a[i], 0, out, i * a[0].length, a[i].length);
        }
        return out;
    }
}
