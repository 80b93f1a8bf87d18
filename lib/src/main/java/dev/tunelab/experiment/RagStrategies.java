package dev.tunelab.experiment;

import dev.tunelab.data.Example;
import dev.tunelab.eval.Strategy;
import dev.tunelab.experiment.ExperimentSpec.StrategySpec;
import dev.tunelab.model.LanguageModel;
import dev.tunelab.rag.Document;
import dev.tunelab.rag.RagStrategy;
import dev.tunelab.rag.Retriever;

import java.util.ArrayList;
import java.util.List;

/**
 * Builds the rag package's {@link RagStrategy} (MiniLM embeddings + BM25 hybrid retriever) for an experiment. The
 * knowledge base is the experiment's (e.g. every answer of the MedQuAD subset: the "hospital documents"), else the
 * split's train answers.
 */
final class RagStrategies {
    private RagStrategies() {}

    static Strategy fromSpec(StrategySpec s, LanguageModel model, List<Example> knowledge) {
        RagStrategy.Builder b = RagStrategy.builder().setModel(model).optK(s.intOption("k", 3))
                .setRetriever(Retriever.builder().optDefaultEmbedder().build()).optTitleField("focus");
        if (s.options().containsKey("max_new_tokens")) {
            b.optGenerationOptions(model.defaults().withMaxNewTokens(s.intOption("max_new_tokens", 64)));
        }
        if (knowledge != null && !knowledge.isEmpty()) {
            b.optKnowledge(documents(knowledge));
        }
        return StrategyFactory.renamed(b.build(), s.name());
    }

    static List<Document> documents(List<Example> pairs) {
        List<Document> docs = new ArrayList<>();
        for (Example e : pairs) {
            docs.add(new Document(e.id(), e.target(), new Document.Metadata(e.field("source"), e.field("focus"),
                    e.field("url"), 0, null, e.fields())));
        }
        return docs;
    }
}
