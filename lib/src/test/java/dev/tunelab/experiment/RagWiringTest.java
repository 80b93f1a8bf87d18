package dev.tunelab.experiment;

import dev.tunelab.data.Split;
import dev.tunelab.model.DjlSetup;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The default MedQuAD experiment's RAG retrieves from every answer of the subset, not only the train split's. */
class RagWiringTest {
    @BeforeAll
    static void djl() {
        DjlSetup.ensure();
    }

    @Test
    void ragRetrievesTheTestQuestionsOwnAnswerFromTheKnowledgeBase() {
        Split split = LocalData.medquad(10, 0, 4, 42);
        // a knowledge base of 150 other answers plus the test questions' own answers keeps the embedding step small
        java.util.Set<String> testIds = new java.util.HashSet<>(split.test().stream().map(dev.tunelab.data.Example::id).toList());
        java.util.List<dev.tunelab.data.Example> kb = new java.util.ArrayList<>(LocalData.medquadPairs().stream()
                .filter(e -> !testIds.contains(e.id())).limit(150).toList());
        kb.addAll(split.test());
        Comparison c = Experiment.named("medquad").split(split).model(BaseModels::tinyRandom)
                .knowledge(kb).strategy(new ExperimentSpec.StrategySpec("rag", null, java.util.Map.of("k", 3, "max_new_tokens", 6)))
                .run();
        StrategyResult r = c.result("rag-k3");
        assertEquals("retrieval", r.kind());
        int ownAnswerFound = 0;
        for (ExampleResult e : r.examples()) {
            assertTrue(!e.sources().isEmpty() && e.sources().size() <= 3, e.sources().toString());
            // test answers are not in the train split: finding one proves the full knowledge base was indexed
            ownAnswerFound += e.sources().contains(e.id()) ? 1 : 0;
        }
        assertTrue(ownAnswerFound >= 2, "questions whose own answer was retrieved: " + ownAnswerFound + "/4");
        assertTrue(r.tokensIn() > 0 && r.tokensOut() > 0);
    }
}
