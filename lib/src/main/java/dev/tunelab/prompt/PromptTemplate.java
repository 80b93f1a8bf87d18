package dev.tunelab.prompt;

import dev.tunelab.data.Example;
import dev.tunelab.data.TaskType;
import dev.tunelab.model.ChatTemplate;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A prompt with named placeholders, checked when built.
 *
 * <p>The prompt holds the query's input placeholder ({@code {text}} or {@code {question}}, chosen by
 * {@link Builder#setInputName}), optionally {@code {examples}} where the demonstrations go and {@code {labels}} (the
 * label words, "positive or negative"). The demonstration format holds the input placeholder and {@code {answer}}.
 * Any other placeholder must be declared with {@link Builder#optFields} and is filled from {@link Example#fields()}.
 *
 * <p>For chat models, {@link #renderChat} turns the text before {@code {examples}} into the system message, each
 * demonstration into a user/assistant exchange (split at {@code {answer}}) and the text after {@code {examples}} into
 * the final user message, then formats them with the model's {@link ChatTemplate}.
 */
public final class PromptTemplate {
    public static final String EXAMPLES = "examples";
    public static final String LABELS = "labels";
    public static final String ANSWER = "answer";

    private final String name;
    private final String inputName;
    private final TemplateText prompt;
    private final TemplateText demonstration;
    private final Set<String> fields;

    private PromptTemplate(Builder b) {
        this.name = b.name;
        this.inputName = b.inputName;
        this.prompt = new TemplateText(b.prompt);
        this.demonstration = b.demonstration == null ? null : new TemplateText(b.demonstration);
        this.fields = Set.copyOf(b.fields);
        validate();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Sentiment classification of a review: "Review: ...\nSentiment:". */
    public static PromptTemplate sentiment() {
        return builder().setName("sentiment").setInputName("text")
                .setPrompt("Classify the sentiment of each review as {labels}.\n\n{examples}Review: {text}\nSentiment:")
                .optDemonstration("Review: {text}\nSentiment: {answer}\n\n").build();
    }

    /** Any single-label classification: "Text: ...\nLabel:". */
    public static PromptTemplate classification() {
        return builder().setName("classification").setInputName("text")
                .setPrompt("Classify each text as {labels}.\n\n{examples}Text: {text}\nLabel:")
                .optDemonstration("Text: {text}\nLabel: {answer}\n\n").build();
    }

    /** Short-answer question answering: "Question: ...\nAnswer:". */
    public static PromptTemplate questionAnswering() {
        return builder().setName("qa").setInputName("question")
                .setPrompt("Answer the question accurately and concisely.\n\n{examples}Question: {question}\nAnswer:")
                .optDemonstration("Question: {question}\nAnswer: {answer}\n\n").build();
    }

    /** The built-in template for a task type. */
    public static PromptTemplate forTask(TaskType task) {
        return task == TaskType.CLASSIFICATION ? classification() : questionAnswering();
    }

    public String name() {
        return name;
    }

    public String inputName() {
        return inputName;
    }

    public boolean supportsDemonstrations() {
        return demonstration != null;
    }

    /** Every placeholder of the prompt and demonstration format. */
    public Set<String> placeholders() {
        Set<String> all = new LinkedHashSet<>(prompt.placeholders());
        if (demonstration != null) {
            all.addAll(demonstration.placeholders());
        }
        return all;
    }

    /** The plain-text prompt for {@code query} with {@code demos} in place of {@code {examples}}. */
    public String render(Example query, List<Example> demos, Verbalizer verbalizer) {
        checkDemos(demos);
        StringBuilder shots = new StringBuilder();
        for (Example d : demos) {
            Map<String, String> v = values(d, verbalizer);
            v.put(ANSWER, verbalizer.word(d.target()));
            shots.append(demonstration.render(v, where("demonstration", d)));
        }
        Map<String, String> v = values(query, verbalizer);
        v.put(EXAMPLES, shots.toString());
        return prompt.render(v, where("prompt", query));
    }

    /** The same prompt as chat messages (system, demonstration turns, user). */
    public List<ChatTemplate.Message> messages(Example query, List<Example> demos, Verbalizer verbalizer) {
        checkDemos(demos);
        List<ChatTemplate.Message> out = new ArrayList<>();
        Map<String, String> qv = values(query, verbalizer);
        if (!prompt.has(EXAMPLES)) {
            out.add(new ChatTemplate.Message("user", prompt.render(qv, where("prompt", query)).strip()));
            return out;
        }
        TemplateText[] halves = prompt.splitAt(EXAMPLES);
        qv.put(EXAMPLES, "");
        String system = halves[0].render(qv, where("prompt", query)).strip();
        if (!system.isEmpty()) {
            out.add(new ChatTemplate.Message("system", system));
        }
        if (!demos.isEmpty()) {
            TemplateText userTurn = demonstration.splitAt(ANSWER)[0];
            for (Example d : demos) {
                String user = userTurn.render(values(d, verbalizer), where("demonstration", d)).strip();
                out.add(new ChatTemplate.Message("user", user));
                out.add(new ChatTemplate.Message("assistant", verbalizer.word(d.target())));
            }
        }
        out.add(new ChatTemplate.Message("user", halves[1].render(qv, where("prompt", query)).strip()));
        return out;
    }

    /** The chat-formatted prompt, ending where the assistant's answer begins. */
    public String renderChat(ChatTemplate chat, Example query, List<Example> demos, Verbalizer verbalizer) {
        return chat.render(messages(query, demos, verbalizer), true);
    }

    /**
     * Stop strings for free generation: a blank line, and the start of a next query (e.g. "\nQuestion:"), which
     * small models tend to produce after answering.
     */
    public List<String> stopStrings() {
        List<String> stops = new ArrayList<>(List.of("\n\n"));
        TemplateText tail = prompt.has(EXAMPLES) ? prompt.splitAt(EXAMPLES)[1] : prompt;
        String before = tail.splitAt(inputName)[0].toString();
        int nl = before.lastIndexOf('\n');
        String cue = (nl >= 0 ? before.substring(nl + 1) : before).strip();
        if (!cue.isEmpty() && !cue.contains("{")) {
            stops.add("\n" + cue);
        }
        return stops;
    }

    private void checkDemos(List<Example> demos) {
        if (!demos.isEmpty() && demonstration == null) {
            throw new IllegalStateException("prompt template '" + name + "' has no demonstration format for "
                    + demos.size() + " demonstrations (set optDemonstration)");
        }
    }

    private Map<String, String> values(Example e, Verbalizer verbalizer) {
        Map<String, String> v = new HashMap<>();
        v.put(inputName, e.input());
        v.put(LABELS, joinWords(verbalizer.words()));
        for (String f : fields) {
            String value = e.field(f);
            if (value != null) {
                v.put(f, value);
            }
        }
        return v;
    }

    private String where(String part, Example e) {
        return "prompt template '" + name + "' " + part + " for example '" + e.id() + "'";
    }

    /** "a", "a or b", "a, b or c". */
    static String joinWords(List<String> words) {
        if (words.isEmpty()) {
            return null;
        }
        if (words.size() == 1) {
            return words.get(0);
        }
        return String.join(", ", words.subList(0, words.size() - 1)) + " or " + words.get(words.size() - 1);
    }

    private void validate() {
        String where = "prompt template '" + name + "'";
        if (!prompt.has(inputName)) {
            throw new IllegalArgumentException(where + ": missing placeholder {" + inputName + "} in the prompt");
        }
        Set<String> known = new TreeSet<>(fields);
        known.addAll(List.of(inputName, EXAMPLES, LABELS));
        for (String p : prompt.placeholders()) {
            if (!known.contains(p)) {
                throw new IllegalArgumentException(where + ": unknown placeholder {" + p + "} in the prompt (known: "
                        + known + "; declare extra fields with optFields)");
            }
        }
        if (demonstration == null) {
            return;
        }
        if (!prompt.has(EXAMPLES)) {
            throw new IllegalArgumentException(where + ": has a demonstration format but no {examples} placeholder");
        }
        for (String required : List.of(inputName, ANSWER)) {
            if (!demonstration.has(required)) {
                throw new IllegalArgumentException(where + ": missing placeholder {" + required
                        + "} in the demonstration");
            }
        }
        known.remove(EXAMPLES);
        known.add(ANSWER);
        for (String p : demonstration.placeholders()) {
            if (!known.contains(p)) {
                throw new IllegalArgumentException(where + ": unknown placeholder {" + p
                        + "} in the demonstration (known: " + known + ")");
            }
        }
    }

    @Override
    public String toString() {
        return "PromptTemplate[" + name + ": " + prompt.source().replace("\n", "\\n") + "]";
    }

    /** DJL-style builder: {@code set*} are required, {@code opt*} optional. */
    public static final class Builder {
        private String name = "custom";
        private String inputName;
        private String prompt;
        private String demonstration;
        private final Set<String> fields = new LinkedHashSet<>();

        private Builder() {}

        /** The prompt text with the input placeholder, optionally {examples} and {labels}. */
        public Builder setPrompt(String prompt) {
            this.prompt = prompt;
            return this;
        }

        /** The placeholder bound to {@link Example#input()}, e.g. "text" or "question". */
        public Builder setInputName(String inputName) {
            this.inputName = inputName;
            return this;
        }

        public Builder setName(String name) {
            this.name = name;
            return this;
        }

        /** How one demonstration is written; needs the input placeholder and {answer}. */
        public Builder optDemonstration(String demonstration) {
            this.demonstration = demonstration;
            return this;
        }

        /** Extra placeholders filled from {@link Example#fields()} (e.g. "context"). */
        public Builder optFields(String... names) {
            fields.addAll(List.of(names));
            return this;
        }

        public PromptTemplate build() {
            if (prompt == null || prompt.isBlank()) {
                throw new IllegalArgumentException("prompt template '" + name + "': setPrompt is required");
            }
            if (inputName == null || inputName.isBlank()) {
                throw new IllegalArgumentException("prompt template '" + name + "': setInputName is required");
            }
            return new PromptTemplate(this);
        }
    }
}
