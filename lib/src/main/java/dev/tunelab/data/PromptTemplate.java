package dev.tunelab.data;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Text with named placeholders: {@code "Question: {question}\nAnswer:"}. Write {@code {{} and {@code }}} for literal
 * braces. Placeholders are checked against the available names before rendering: an unknown one is an error naming
 * it. Immutable.
 */
public final class PromptTemplate {
    private final String text;
    private final List<String> literals = new ArrayList<>();
    private final List<String> names = new ArrayList<>();
    private final String blankName;
    private final PromptTemplate whenBlank;

    private PromptTemplate(String text, String blankName, PromptTemplate whenBlank) {
        this.text = text;
        this.blankName = blankName;
        this.whenBlank = whenBlank;
        parse(text);
    }

    public static PromptTemplate of(String text) {
        return new PromptTemplate(text, null, null);
    }

    /** Stanford Alpaca's prompt, with the no-input variant when "input" is blank. */
    public static PromptTemplate alpaca() {
        String head = "Below is an instruction that describes a task";
        PromptTemplate noInput = of(head + ". Write a response that appropriately completes the request.\n\n"
                + "### Instruction:\n{instruction}\n\n### Response:\n");
        return of(head + ", paired with an input that provides further context. Write a response that "
                + "appropriately completes the request.\n\n### Instruction:\n{instruction}\n\n### Input:\n{input}\n\n"
                + "### Response:\n").orWhenBlank("input", noInput);
    }

    /** ChatML prompt: a system turn (literal text), the user turn from {@code userPlaceholder}, assistant opened. */
    public static PromptTemplate chatML(String system, String userPlaceholder) {
        String sys = system.replace("{", "{{").replace("}", "}}");
        return of("<|im_start|>system\n" + sys + "<|im_end|>\n<|im_start|>user\n{" + userPlaceholder
                + "}<|im_end|>\n<|im_start|>assistant\n");
    }

    /** ChatML completion: the answer and the end-of-turn marker. */
    public static PromptTemplate chatMLCompletion(String answerPlaceholder) {
        return of("{" + answerPlaceholder + "}<|im_end|>");
    }

    /** Renders {@code other} instead when the value of {@code placeholder} is blank. */
    public PromptTemplate orWhenBlank(String placeholder, PromptTemplate other) {
        if (!names.contains(placeholder)) {
            throw new IllegalArgumentException("placeholder {" + placeholder + "} is not in the template");
        }
        return new PromptTemplate(text, placeholder, other);
    }

    public String text() {
        return text;
    }

    /** Every placeholder name, this template's and its blank-variant's. */
    public Set<String> placeholders() {
        Set<String> all = new LinkedHashSet<>(names);
        if (whenBlank != null) {
            all.addAll(whenBlank.placeholders());
        }
        return all;
    }

    /** Throws naming the first placeholder that is not among {@code available}. */
    public void validate(Collection<String> available) {
        for (String n : placeholders()) {
            if (!available.contains(n)) {
                throw new IllegalArgumentException("unknown placeholder {" + n + "} in template; available: "
                        + available);
            }
        }
    }

    public String render(Map<String, String> values) {
        if (blankName != null) {
            String v = values.get(blankName);
            if (v == null || v.isBlank()) {
                return whenBlank.render(values);
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < names.size(); i++) {
            sb.append(literals.get(i));
            String v = values.get(names.get(i));
            if (v == null) {
                throw new IllegalArgumentException("no value for placeholder {" + names.get(i) + "}");
            }
            sb.append(v);
        }
        sb.append(literals.get(names.size()));
        return sb.toString();
    }

    private void parse(String t) {
        StringBuilder lit = new StringBuilder();
        int i = 0;
        while (i < t.length()) {
            char c = t.charAt(i);
            if (c == '{' && i + 1 < t.length() && t.charAt(i + 1) == '{') {
                lit.append('{');
                i += 2;
            } else if (c == '}' && i + 1 < t.length() && t.charAt(i + 1) == '}') {
                lit.append('}');
                i += 2;
            } else if (c == '{') {
                int end = t.indexOf('}', i);
                if (end < 0) {
                    throw new IllegalArgumentException("unclosed '{' at position " + i + " in template");
                }
                String name = t.substring(i + 1, end).strip();
                if (name.isEmpty() || !name.matches("[A-Za-z_][A-Za-z0-9_.-]*")) {
                    throw new IllegalArgumentException("bad placeholder name {" + name + "} at position " + i);
                }
                literals.add(lit.toString());
                lit.setLength(0);
                names.add(name);
                i = end + 1;
            } else if (c == '}') {
                throw new IllegalArgumentException("unmatched '}' at position " + i + " in template (write '}}')");
            } else {
                lit.append(c);
                i++;
            }
        }
        literals.add(lit.toString());
    }

    @Override
    public String toString() {
        return text;
    }
}
