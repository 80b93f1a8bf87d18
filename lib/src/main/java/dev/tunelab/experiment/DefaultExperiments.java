package dev.tunelab.experiment;

import dev.tunelab.model.LanguageModel;

import java.util.List;
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
                .split(quick ? LocalData.sentiment(24, 4, 8, 42) : LocalData.sentiment(100, 10, 50, 42))
                .model(model).config("model", described).config("quick", quick)
                .zeroShot();
        if (!quick) {
            sentiment.fewShot(4);
        }
        sentiment.similarityFewShot(quick ? 2 : 4).knn(5).bagOfWords(quick ? 60 : 150).lora(quick ? 4 : 8, quick ? 1 : 2);
        if (!quick) {
            sentiment.qlora(8, 2).freeze(1, 2);
        }
        Experiment qa = Experiment.named("medquad")
                .split(quick ? LocalData.medquad(24, 4, 4, 42) : LocalData.medquad(160, 10, 30, 42))
                .model(model).config("model", described).config("quick", quick)
                .knowledge(LocalData.medquadPairs())
                .zeroShot().knn(1);
        if (RagStrategies.available()) {
            qa.rag(3);
        }
        qa.lora(quick ? 4 : 8, 1);
        return List.of(sentiment, qa);
    }
}
