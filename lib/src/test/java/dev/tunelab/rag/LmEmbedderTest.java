package dev.tunelab.rag;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tunelab.model.ByteTokenizer;
import dev.tunelab.model.DjlSetup;
import dev.tunelab.model.LanguageModel;
import dev.tunelab.model.LlamaConfig;
import dev.tunelab.model.Models;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class LmEmbedderTest {
    @Test
    void meanPooledHiddenStatesNormalisedAndBatchInvariant() {
        DjlSetup.ensure();
        try (LanguageModel lm = Models.random(LlamaConfig.tiny(260, 32, 64, 2, 4, 2, 64), new ByteTokenizer(), 7)) {
            LmEmbedder e = LmEmbedder.of(lm);
            assertEquals(32, e.dimension());
            List<String> texts = List.of("abc", "xyz", "hello there", "a");
            float[][] batch = e.embed(texts);
            ByteTokenizer tok = new ByteTokenizer();
            for (int i = 0; i < texts.size(); i++) {
                // Reference: hidden states of the text alone, averaged over positions in double precision.
                int[] ids = tok.encode(texts.get(i), true);
                double[] mean = new double[32];
                try (NDManager m = lm.model().manager().newSubManager()) {
                    NDArray h = lm.model().hiddenStates(m.create(ids, new Shape(1, ids.length)), null);
                    float[] flat = h.toFloatArray();
                    for (int t = 0; t < ids.length; t++) {
                        for (int j = 0; j < 32; j++) {
                            mean[j] += flat[t * 32 + j] / (double) ids.length;
                        }
                    }
                }
                double norm = Math.sqrt(java.util.Arrays.stream(mean).map(x -> x * x).sum());
                float[] single = e.embed(texts.get(i));
                for (int j = 0; j < 32; j++) {
                    assertEquals(mean[j] / norm, batch[i][j], 1e-5, "text " + i + " dim " + j);
                    assertEquals(batch[i][j], single[j], 1e-6f);
                }
            }
            // "abc" and "xyz" have equal length and ran as one batch; they must still differ.
            assertNotEquals(batch[0][0], batch[1][0]);
        }
    }
}
