package dev.tunelab.data;

import java.util.List;

/**
 * The train/validation/test split every strategy of an experiment shares.
 *
 * @param labels the label set for classification (empty for generation), in a stable order
 */
public record Split(String name, TaskType task, List<String> labels, List<Example> train, List<Example> validation,
                    List<Example> test) {
    public Split {
        labels = List.copyOf(labels);
        train = List.copyOf(train);
        validation = List.copyOf(validation);
        test = List.copyOf(test);
    }
}
