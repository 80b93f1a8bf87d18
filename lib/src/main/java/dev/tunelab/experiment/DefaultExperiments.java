package dev.tunelab.experiment;

import dev.tunelab.data.Example;
import dev.tunelab.data.Split;
import dev.tunelab.model.LanguageModel;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The experiments `tunelab compare` runs without --config, on real data and the embedded model, with no network:
 * sentiment classification (sentiment-uci) and patient question answering (MedQuAD NIHSeniorHealth + CDC).
 * {@code quick} shrinks both to a CI-sized run.
 */
public final class DefaultExperiments {
    private DefaultExperiments() {}

    public static List<Experiment> create(boolean quick, String modelSetting) {
        Supplier<LanguageModel> model = BaseModels.resolve(modelSetting);
        String described = BaseModels.describe(modelSetting);
        Experiment sentiment = Experiment.named("sentiment")
                .split(quick ? LocalData.sentiment(24, 4, 8, 42) : LocalData.sentiment(64, 8, 30, 42))
                .model(model).config("model", described).config("quick", quick)
                .zeroShot();
        if (!quick) {
            sentiment.fewShot(4);
        }
        sentiment.similarityFewShot(quick ? 2 : 4).knn(5).bagOfWords(quick ? 60 : 150).lora(quick ? 4 : 8, quick ? 1 : 2);
        if (!quick) {
            sentiment.qlora(8, 2).freeze(1, 1);
        }
        Split qaSplit = quick ? LocalData.medquad(24, 4, 4, 42) : LocalData.medquad(96, 8, 20, 42);
        // the knowledge base: every answer of the subset (the "hospital documents"); --quick indexes only the split's
        List<Example> knowledge = quick ? all(qaSplit) : LocalData.medquadPairs();
        Experiment qa = Experiment.named("medquad").split(qaSplit)
                .model(model).config("model", described).config("quick", quick)
                .config("knowledge_documents", knowledge.size()).knowledge(knowledge)
                .zeroShot().knn(1)
                .strategy(new ExperimentSpec.StrategySpec("rag", null, Map.of("k", 3, "max_new_tokens", 48)));
        qa.lora(quick ? 4 : 8, 1);
        return List.of(sentiment, qa);
    }

    private static List<Example> all(Split s) {
        List<Example> out = new ArrayList<>(s.train());
        out.addAll(s.validation());
        out.addAll(s.test());
        return out;
    }
}
