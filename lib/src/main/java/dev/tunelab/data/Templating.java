package dev.tunelab.data;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/** Renders prompt/completion columns; placeholders may name columns or roles ("question" → the question column). */
final class Templating {
    static final String PROMPT = "prompt";
    static final String COMPLETION = "completion";

    private Templating() {}

    static Dataset apply(Dataset d, PromptTemplate prompt, PromptTemplate completion) {
        Set<String> available = new LinkedHashSet<>(d.columns());
        d.roles().keySet().forEach(r -> available.add(r.key()));
        prompt.validate(available);
        completion.validate(available);
        Dataset out = d.withColumn(PROMPT, row -> prompt.render(values(d, row)));
        return out.withColumn(COMPLETION, row -> completion.render(values(d, row)));
    }

    private static Map<String, String> values(Dataset d, Map<String, String> row) {
        Map<String, String> v = new LinkedHashMap<>(row);
        d.roles().forEach((role, col) -> v.putIfAbsent(role.key(), row.get(col)));
        return v;
    }
}
