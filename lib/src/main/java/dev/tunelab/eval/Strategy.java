package dev.tunelab.eval;

import dev.tunelab.data.Example;
import dev.tunelab.data.Split;

/**
 * One way to solve a task: zero-shot, few-shot, RAG, LoRA, ... Every strategy has this shape so that evaluation,
 * comparison, charts and reports never special-case one of them.
 */
public interface Strategy extends AutoCloseable {
    String name();

    /** "prompting", "retrieval", "fine-tuning" or "remote". */
    String kind();

    /** Train, index or pick demonstrations from the split's train/validation parts. */
    default void prepare(Split split, ProgressListener listener) {}

    Prediction predict(Example example);

    default StrategyCost cost() {
        return StrategyCost.none();
    }

    @Override
    default void close() {}
}
