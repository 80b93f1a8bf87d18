package dev.tunelab.prompt;

import dev.tunelab.data.Example;
import dev.tunelab.data.Split;
import dev.tunelab.data.TaskType;
import dev.tunelab.eval.ProgressListener;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What local and remote prompting share: the template, the demonstrations and the label words, fixed in prepare().
 * Public so that other strategies (retrieval) can build the same prompts.
 */
public final class PromptSetup {
    private final PromptTemplate configuredTemplate;
    private final int k;
    private final ShotSelector selector;
    private final Verbalizer configuredVerbalizer;

    private PromptTemplate template;
    private Verbalizer verbalizer;
    private AnswerParser parser;
    private TaskType task;

    public PromptSetup(PromptTemplate template, int k, ShotSelector selector, Verbalizer verbalizer) {
        checkShots(k, selector);
        this.configuredTemplate = template;
        this.k = k;
        this.selector = selector;
        this.configuredVerbalizer = verbalizer;
    }

    static void checkShots(int k, ShotSelector selector) {
        if (k < 0) {
            throw new IllegalArgumentException("number of demonstrations k must be >= 0, got " + k);
        }
        if (k > 0 && selector == null) {
            throw new IllegalArgumentException("k = " + k + " demonstrations need a ShotSelector");
        }
    }

    public void prepare(Split split, ProgressListener listener) {
        task = split.task();
        template = configuredTemplate != null ? configuredTemplate : PromptTemplate.forTask(task);
        if (k > 0 && !template.supportsDemonstrations()) {
            throw new IllegalArgumentException("prompt template '" + template.name()
                    + "' has no demonstration format, so k = " + k + " cannot be used");
        }
        if (task == TaskType.CLASSIFICATION && split.labels().isEmpty()) {
            throw new IllegalArgumentException("split '" + split.name() + "' is a classification task without labels");
        }
        verbalizer = configuredVerbalizer != null ? configuredVerbalizer : Verbalizer.forLabels(split.labels());
        if (task == TaskType.CLASSIFICATION && !verbalizer.labels().containsAll(split.labels())) {
            throw new IllegalArgumentException("verbalizer " + verbalizer + " does not cover labels " + split.labels());
        }
        parser = AnswerParser.of(verbalizer);
        if (k > 0) {
            if (split.train().isEmpty()) {
                throw new IllegalArgumentException("split '" + split.name() + "' has no train examples to draw "
                        + k + " demonstrations from");
            }
            listener.progress("select-shots", 0, split.train().size(), "fitting " + selector.name() + " selector");
            selector.fit(split.train());
            listener.progress("select-shots", split.train().size(), split.train().size(), "ready");
        }
    }

    public List<Example> demonstrations(Example query) {
        requirePrepared();
        return k == 0 ? List.of() : selector.select(query, k);
    }

    public PromptTemplate template() {
        requirePrepared();
        return template;
    }

    public Verbalizer verbalizer() {
        requirePrepared();
        return verbalizer;
    }

    public AnswerParser parser() {
        requirePrepared();
        return parser;
    }

    public TaskType task() {
        requirePrepared();
        return task;
    }

    public int k() {
        return k;
    }

    String defaultName() {
        return k == 0 ? "zero-shot" : "few-shot-k" + k + "-" + selector.name();
    }

    Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("k", k);
        m.put("selector", k == 0 ? "none" : selector.name());
        m.put("template", template == null ? "(not prepared)" : template.name());
        return m;
    }

    private void requirePrepared() {
        if (task == null) {
            throw new IllegalStateException("call prepare(split) before predicting");
        }
    }
}
