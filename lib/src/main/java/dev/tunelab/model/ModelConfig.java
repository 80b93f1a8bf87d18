package dev.tunelab.model;

/** What every architecture's config record (parsed from Hugging Face config.json) tells the rest of TuneLab. */
public interface ModelConfig {
    String modelType();

    int vocabSize();

    int hiddenSize();

    int numLayers();

    int maxPositions();
}
