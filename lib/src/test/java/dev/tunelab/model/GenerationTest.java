package dev.tunelab.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GenerationTest {
    static {
        DjlSetup.ensure();
    }

    @TempDir
    static Path dir;
    static DecoderLanguageModel lm;

    @BeforeAll
    static void setUp() throws Exception {
        lm = (DecoderLanguageModel) Models.random(LlamaConfig.tiny(300, 32, 64, 2, 4, 2, 128), new ByteTokenizer(), 4);
        LlamaParityTest.perturb(lm.model());
        Models.save(lm, dir);
    }

    @AfterAll
    static void tearDown() {
        lm.close();
    }

    /** Worked example: logits [2, 1, 0, -1]; top-k 3 keeps e^2:e^1:e^0, top-p 0.8 then keeps the first two. */
    @Test
    void samplingFollowsTemperatureTopKAndTopP() {
        try (NDManager m = lm.model().manager().newSubManager()) {
            NDArray row = m.create(new float[] {2, 1, 0, -1}, new Shape(1, 4));
            double z = Math.exp(2) + Math.exp(1) + 1;
            checkFrequencies(row, GenerationOptions.defaults().withSampling(1.0, 3, 1.0),
                    new double[] {Math.exp(2) / z, Math.exp(1) / z, 1 / z, 0});
            double z2 = Math.exp(2) + Math.exp(1);
            checkFrequencies(row, GenerationOptions.defaults().withSampling(1.0, 0, 0.8),
                    new double[] {Math.exp(2) / z2, Math.exp(1) / z2, 0, 0});
            // temperature 2 halves the logits: p ∝ e^1, e^0.5, e^0, e^-0.5
            double[] t = {Math.exp(1), Math.exp(0.5), 1, Math.exp(-0.5)};
            double zt = t[0] + t[1] + t[2] + t[3];
            checkFrequencies(row, GenerationOptions.defaults().withSampling(2.0, 0, 1.0),
                    new double[] {t[0] / zt, t[1] / zt, t[2] / zt, t[3] / zt});
        }
    }

    private static void checkFrequencies(NDArray row, GenerationOptions o, double[] expected) {
        Generator.Sampler s = new Generator.Sampler(o, new SplittableRandom(1));
        int n = 20000;
        int[] counts = new int[4];
        for (int i = 0; i < n; i++) {
            counts[s.choose(row, new int[][] {{}}, 0)[0]]++;
        }
        for (int j = 0; j < 4; j++) {
            assertEquals(expected[j], counts[j] / (double) n, 0.015, "token " + j + " with " + o);
        }
    }

    @Test
    void repetitionPenaltyDividesPositiveAndMultipliesNegativeLogitsOfSeenTokens() {
        float[] row = {2f, -1f, 0.5f, 3f};
        Generator.Sampler.penalize(row, new int[] {0, 1, 1, 3, 99}, 3, 2f);
        assertArrayEquals(new float[] {1f, -2f, 0.5f, 3f}, row, 0f);
    }

    @Test
    void seededSamplingIsReproducibleAndTopK1IsGreedy() {
        GenerationOptions o = GenerationOptions.defaults().withMaxNewTokens(12).withSampling(1.5, 0, 1.0);
        int[] a = lm.generate("abc", o.withSeed(5)).generatedIds();
        assertArrayEquals(a, lm.generate("abc", o.withSeed(5)).generatedIds());
        assertNotEquals(java.util.Arrays.toString(a),
                java.util.Arrays.toString(lm.generate("abc", o.withSeed(6)).generatedIds()));
        int[] greedy = lm.generate("abc", GenerationOptions.defaults().withMaxNewTokens(12)).generatedIds();
        assertArrayEquals(greedy, lm.generate("abc", o.withSampling(0.7, 1, 1.0)).generatedIds());
    }

    @Test
    void stopStringsEndGenerationAndStreamingDeliversExactlyTheText() {
        GenerationOptions o = GenerationOptions.defaults().withMaxNewTokens(24);
        Generation full = lm.generate("The", o);
        assertEquals("length", full.finishReason());
        String text = full.text();
        assertTrue(text.length() >= 8, text);
        String stop = text.substring(5, 7);
        int at = text.indexOf(stop);
        StringBuilder streamed = new StringBuilder();
        Generation stopped = lm.generate("The", o.withStop(List.of(stop)).withStreaming(streamed::append));
        assertEquals("stop", stopped.finishReason());
        assertEquals(text.substring(0, at), stopped.text());
        assertEquals(stopped.text(), streamed.toString());
        assertFalse(streamed.toString().contains(stop));
        StringBuilder plain = new StringBuilder();
        assertEquals(text, lm.generate("The", o.withStreaming(plain::append)).text());
        assertEquals(text, plain.toString());
    }

    /** Sum of log-softmax of the reference's logits at the completion's tokens. */
    @Test
    void logLikelihoodMatchesPyTorchLogits() throws Exception {
        String prompt = "Hi ";
        String completion = "there";
        int[] ids = new ByteTokenizer().encode(prompt + completion, true);
        float[] logits = PyTorchReference.logits(dir, new int[][] {ids}, null);
        int v = 300;
        int start = new ByteTokenizer().encode(prompt, true).length;
        double want = 0;
        for (int i = start; i < ids.length; i++) {
            int row = (i - 1) * v;
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < v; j++) {
                max = Math.max(max, logits[row + j]);
            }
            double sum = 0;
            for (int j = 0; j < v; j++) {
                sum += Math.exp(logits[row + j] - max);
            }
            want += logits[row + ids[i]] - max - Math.log(sum);
        }
        double got = lm.logLikelihood(prompt, completion);
        assertEquals(want, got, 1e-3 * Math.max(1, Math.abs(want)));
        assertTrue(got < 0);
    }

    @Test
    void generationConfigAndChatTemplatesAreReadFromTheFolder() throws Exception {
        Path d = Files.createDirectories(dir.resolve("withcfg"));
        Models.save(lm, d);
        Files.writeString(d.resolve("generation_config.json"),
                "{\"do_sample\": true, \"temperature\": 0.6, \"top_p\": 0.9, \"top_k\": 20, \"max_new_tokens\": 7,"
                        + " \"repetition_penalty\": 1.1}");
        Files.writeString(d.resolve("tokenizer_config.json"), "{\"tokenizer_class\": \"TuneLabByteTokenizer\","
                + " \"chat_template\": \"{% for m in messages %}<|im_start|>{{ m.role }}...{% endfor %}\"}");
        try (LanguageModel loaded = Models.load(d)) {
            GenerationOptions g = loaded.defaults();
            assertFalse(g.greedy());
            assertEquals(0.6, g.temperature(), 0);
            assertEquals(0.9, g.topP(), 0);
            assertEquals(20, g.topK());
            assertEquals(7, g.maxNewTokens());
            assertEquals(1.1, g.repetitionPenalty(), 0);
            assertEquals("chatml", loaded.chatTemplate().name());
            assertEquals("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n",
                    loaded.chatTemplate().render(List.of(new ChatTemplate.Message("system", "Be brief."),
                            new ChatTemplate.Message("user", "Hi")), true));
        }
        assertEquals("<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>"
                        + "<|start_header_id|>assistant<|end_header_id|>\n\n",
                ChatTemplates.forTemplate("{{ '<|start_header_id|>' }}").render(
                        List.of(new ChatTemplate.Message("user", "Hi")), true));
        assertEquals("plain", ChatTemplates.forTemplate("{{ messages }}").name());
    }
}
