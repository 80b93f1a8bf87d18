package dev.tunelab.model;

/** Text ↔ token ids (tokenizer.json through DJL's HuggingFaceTokenizer, or the embedded default). */
public interface TextTokenizer {
    /** Token ids of {@code text}; with {@code addSpecial} the BOS token (if the model uses one) comes first. */
    int[] encode(String text, boolean addSpecial);

    String decode(int[] ids);

    int vocabSize();

    /** -1 when the tokenizer has no such token. */
    int bosId();

    int eosId();

    int padId();
}
