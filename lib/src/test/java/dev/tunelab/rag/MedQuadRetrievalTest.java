package dev.tunelab.rag;

import dev.tunelab.data.Dataset;
import dev.tunelab.data.Example;
import dev.tunelab.eval.ProgressListener;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The default offline pipeline on real data: MedQuAD's NIHSeniorHealth + CDC subset (1,039 question/answer pairs),
 * every question retrieving its own answer among all 1,039 answers. The thresholds are what the pipeline measured
 * (docs/rag.md: recall@5 0.8075, MRR 0.5681, topic recall@5 0.9962) minus a small margin; plain MiniLM cosine scores
 * 0.68, so the fusion must be doing its work. The 0.80 goal of the issue is asserted.
 */
class MedQuadRetrievalTest {
    @Test
    void defaultPipelineOwnAnswerAndTopicRecall() {
        Path file = Path.of(System.getProperty("tunelab.repo"), "..", "shared", "datasets", "medquad",
                "medquad_seniorhealth_cdc.jsonl");
        assertTrue(Files.isRegularFile(file), "missing real data file " + file);
        Dataset d = Dataset.fromJsonl(file);
        List<Example> examples = new ArrayList<>();
        for (int i = 0; i < d.size(); i++) {
            Map<String, String> row = d.row(i);
            examples.add(new Example("row-" + i, row.get("question"), row.get("answer"), row));
        }
        assertEquals(1039, examples.size());
        try (Retriever r = Retriever.builder().optDefaultEmbedder().build()) {
            RetrievalEvaluation.Report rep = RetrievalEvaluation.run(examples, r, 5, "focus", "focus", ProgressListener.NONE);
            System.out.println("medquad retrieval: " + rep);
            assertTrue(rep.recallAtK() >= 0.80, "own-answer recall@5 " + rep.recallAtK());
            assertTrue(rep.mrr() >= 0.56, "MRR " + rep.mrr());
            assertTrue(rep.topicRecallAtK() >= 0.99, "topic recall@5 " + rep.topicRecallAtK());
            // With one relevant document nDCG@5 is at most recall@5.
            assertTrue(rep.ndcgAtK() <= rep.recallAtK() && rep.ndcgAtK() > 0.4);
        }
    }
}
