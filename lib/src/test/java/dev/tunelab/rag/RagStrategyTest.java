package dev.tunelab.rag;

import dev.tunelab.data.Example;
import dev.tunelab.data.Split;
import dev.tunelab.data.TaskType;
import dev.tunelab.eval.Prediction;
import dev.tunelab.eval.ProgressListener;
import dev.tunelab.model.ByteTokenizer;
import dev.tunelab.model.DjlSetup;
import dev.tunelab.model.GenerationOptions;
import dev.tunelab.model.LanguageModel;
import dev.tunelab.model.LlamaConfig;
import dev.tunelab.model.Models;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class RagStrategyTest {
    static LanguageModel lm;

    static final List<Document> KB = List.of(
            new Document("glaucoma", "Glaucoma damages the optic nerve. Eye drops lower the pressure inside the eye and slow vision loss.",
                    new Document.Metadata("nih", "Glaucoma", null, 0, null, Map.of())),
            new Document("cataract", "A cataract is a clouding of the lens. Surgery replaces the cloudy lens with a clear artificial one.",
                    new Document.Metadata("nih", "Cataract", null, 0, null, Map.of())),
            new Document("diabetes", "Diabetes means blood glucose is too high. Exercise, diet and insulin help control blood glucose.",
                    new Document.Metadata("cdc", "Diabetes", null, 0, null, Map.of())),
            new Document("flu", "Influenza spreads by droplets. A yearly flu vaccine lowers the risk of getting the flu.",
                    new Document.Metadata("cdc", "Flu", null, 0, null, Map.of())));

    @BeforeAll
    static void load() {
        DjlSetup.ensure();
        lm = Models.random(LlamaConfig.tiny(260, 32, 64, 1, 4, 2, 512), new ByteTokenizer(), 3);
    }

    @AfterAll
    static void close() {
        lm.close();
    }

    static RagStrategy strategy(int context, int k) {
        Retriever r = Retriever.builder().setEmbedder(new HashEmbedder()).optAspectWeight(0).build();
        RagStrategy s = RagStrategy.builder().setModel(lm).setRetriever(r).optK(k).optContextTokens(context)
                .optKnowledge(KB).optGenerationOptions(GenerationOptions.defaults().withMaxNewTokens(4)).build();
        s.prepare(new Split("t", TaskType.GENERATION, List.of(), List.of(), List.of(), List.of()), ProgressListener.NONE);
        return s;
    }

    @Test
    void predictsWithRetrievedSourcesInsideTheTokenBudget() {
        try (RagStrategy s = strategy(512, 2)) {
            Prediction p = s.predict(new Example("q", "Which eye drops help glaucoma pressure?", "", Map.of()));
            assertEquals("glaucoma", p.sources().get(0));
            assertEquals(2, p.sources().size());
            assertTrue(p.tokensIn() <= 512 - 4, "prompt tokens " + p.tokensIn());
            assertTrue(p.tokensOut() <= 4 && p.tokensOut() >= 1);
            assertEquals("retrieval", s.kind());
        }
    }

    @Test
    void passagesAreCutByTokensToFitTheContext() {
        ByteTokenizer tok = new ByteTokenizer();
        String q = "How is a cataract treated with surgery?";
        try (RagStrategy wide = strategy(512, 3); RagStrategy narrow = strategy(150, 3)) {
            List<Retriever.Result> hits = wide.retrieverForTest().search(q, 3);
            assertEquals("cataract", hits.get(0).document().id());
            RagStrategy.Prompt all = wide.buildPrompt(q, hits);
            assertEquals(hits.stream().map(h -> h.document().id()).toList(), all.sources());
            for (Retriever.Result h : hits) {
                assertTrue(all.text().contains(h.passage().text()));
            }
            RagStrategy.Prompt cut = narrow.buildPrompt(q, hits);
            int tokens = tok.encode(cut.text(), false).length;
            // Budget = context − max new tokens − 1 (room for BOS); with byte tokens the fill is exact.
            assertEquals(150 - 4 - 1, tokens, cut.text());
            assertEquals(List.of("cataract"), cut.sources());
            assertTrue(cut.text().startsWith(RagStrategy.HEADER));
            assertTrue(cut.text().endsWith("\nQuestion: " + q + "\nAnswer:"));
            assertFalse(cut.text().contains(hits.get(0).passage().text()), "the first passage must have been cut");
        }
    }
}
