package dev.tunelab.rag;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class MiniLmEmbedderTest {
    static MiniLmEmbedder embedder;

    static final List<String> SENTENCES = List.of(
            "A man is playing a guitar.",
            "Someone is playing an instrument.",
            "The stock market fell sharply on Monday.",
            "Shares dropped steeply at the start of the week.",
            "What are the symptoms of glaucoma?",
            "Glaucoma often has no symptoms in its early stages; vision loss begins at the edges.",
            "How do I bake sourdough bread at home?");

    @BeforeAll
    static void load() {
        embedder = MiniLmEmbedder.create();
    }

    @AfterAll
    static void close() {
        embedder.close();
    }

    static double cos(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }

    @Test
    void tokenizerIsBertUncasedWordPiece() {
        // bert-base-uncased vocabulary: [CLS]=101, hello=7592, world=2088, [SEP]=102.
        assertArrayEquals(new long[] {101, 7592, 2088, 102}, embedder.tokenIds("Hello World"));
    }

    @Test
    void unitNormAndKnownSimilarityOrdering() {
        float[][] v = embedder.embed(SENTENCES);
        assertEquals(384, embedder.dimension());
        for (float[] x : v) {
            assertEquals(384, x.length);
            assertEquals(1.0, Math.sqrt(cos(x, x)), 1e-5);
        }
        // Paraphrase pairs score well above unrelated pairs.
        double guitar = cos(v[0], v[1]);
        double market = cos(v[2], v[3]);
        double glaucoma = cos(v[4], v[5]);
        for (double related : new double[] {guitar, market, glaucoma}) {
            assertTrue(related > 0.45, "related pair cosine " + related);
            assertTrue(related > cos(v[0], v[2]) + 0.3);
            assertTrue(related > cos(v[4], v[6]) + 0.3);
        }
        assertTrue(cos(v[4], v[5]) > cos(v[4], v[2]));
        // The question retrieves its answer among all other sentences.
        int best = -1;
        for (int j = 0; j < v.length; j++) {
            if (j != 4 && (best < 0 || cos(v[4], v[j]) > cos(v[4], v[best]))) {
                best = j;
            }
        }
        assertEquals(5, best);
    }

    @Test
    void listEqualsOneByOne() {
        float[][] batch = embedder.embed(SENTENCES);
        for (int i = 0; i < SENTENCES.size(); i++) {
            float[] single = embedder.embed(SENTENCES.get(i));
            for (int j = 0; j < 384; j++) {
                assertEquals(single[j], batch[i][j], 2e-5f, "sentence " + i + " dim " + j);
            }
        }
    }

    /**
     * A second path: ONNX Runtime's own Java API (no DJL), fed the same token ids, with mean pooling and
     * normalisation computed here in double precision. Both must agree.
     */
    @Test
    void djlPathEqualsPlainOnnxRuntimeSession() throws Exception {
        byte[] model;
        try (InputStream in = MiniLmEmbedder.class.getResourceAsStream(MiniLmEmbedder.MODEL_RESOURCE)) {
            model = in.readAllBytes();
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        List<float[]> reference = new ArrayList<>();
        try (OrtSession session = env.createSession(model, new OrtSession.SessionOptions())) {
            assertTrue(session.getInputNames().containsAll(List.of("input_ids", "attention_mask", "token_type_ids")),
                    session.getInputNames().toString());
            for (String s : SENTENCES) {
                long[] ids = embedder.tokenIds(s);
                long[] ones = new long[ids.length];
                java.util.Arrays.fill(ones, 1);
                long[] shape = {1, ids.length};
                try (OnnxTensor a = OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape);
                     OnnxTensor b = OnnxTensor.createTensor(env, LongBuffer.wrap(ones), shape);
                     OnnxTensor c = OnnxTensor.createTensor(env, LongBuffer.wrap(new long[ids.length]), shape);
                     OrtSession.Result r = session.run(Map.of("input_ids", a, "attention_mask", b, "token_type_ids", c))) {
                    float[][][] hidden = (float[][][]) r.get(0).getValue();
                    double[] mean = new double[384];
                    for (float[] tok : hidden[0]) {
                        for (int j = 0; j < 384; j++) {
                            mean[j] += tok[j] / (double) ids.length;
                        }
                    }
                    double norm = Math.sqrt(java.util.Arrays.stream(mean).map(x -> x * x).sum());
                    float[] v = new float[384];
                    for (int j = 0; j < 384; j++) {
                        v[j] = (float) (mean[j] / norm);
                    }
                    reference.add(v);
                }
            }
        }
        float[][] ours = embedder.embed(SENTENCES);
        for (int i = 0; i < SENTENCES.size(); i++) {
            assertEquals(1.0, cos(ours[i], reference.get(i)), 1e-5, "sentence " + i);
            for (int j = 0; j < 384; j++) {
                assertEquals(reference.get(i)[j], ours[i][j], 1e-4f, "sentence " + i + " dim " + j);
            }
        }
    }
}
