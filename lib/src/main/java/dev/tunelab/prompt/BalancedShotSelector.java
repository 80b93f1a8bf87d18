package dev.tunelab.prompt;

import dev.tunelab.data.Example;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * k demonstrations spread evenly over the labels (targets): each label gets floor(k / labels) and the remainder goes
 * to labels picked at random; within a label the examples are random. The result is interleaved (a, b, a, b, ...)
 * in a label order shuffled per query, so the last demonstration does not always carry the same label. A label with
 * too few examples gives what it has.
 */
public final class BalancedShotSelector implements ShotSelector {
    private final long seed;
    private final Map<String, List<Example>> byLabel = new LinkedHashMap<>();

    public BalancedShotSelector(long seed) {
        this.seed = seed;
    }

    @Override
    public String name() {
        return "balanced";
    }

    @Override
    public void fit(List<Example> pool) {
        byLabel.clear();
        for (Example e : pool) {
            byLabel.computeIfAbsent(e.target(), t -> new ArrayList<>()).add(e);
        }
    }

    @Override
    public List<Example> select(Example query, int k) {
        Random rng = new Random(seed * 1_000_003L + query.id().hashCode());
        List<String> labels = new ArrayList<>(byLabel.keySet());
        int base = labels.isEmpty() ? 0 : k / labels.size();
        List<String> extra = new ArrayList<>(labels);
        java.util.Collections.shuffle(extra, rng);
        extra = extra.subList(0, labels.isEmpty() ? 0 : k % labels.size());

        List<List<Example>> perLabel = new ArrayList<>();
        for (String label : labels) {
            List<Example> candidates = new ArrayList<>();
            for (Example e : byLabel.get(label)) {
                if (!e.id().equals(query.id())) {
                    candidates.add(e);
                }
            }
            java.util.Collections.shuffle(candidates, rng);
            int want = base + (extra.contains(label) ? 1 : 0);
            perLabel.add(candidates.subList(0, Math.min(want, candidates.size())));
        }
        java.util.Collections.shuffle(perLabel, rng);
        List<Example> out = new ArrayList<>();
        for (int round = 0; out.size() < k; round++) {
            boolean any = false;
            for (List<Example> chosen : perLabel) {
                if (round < chosen.size()) {
                    out.add(chosen.get(round));
                    any = true;
                }
            }
            if (!any) {
                break;
            }
        }
        return List.copyOf(out);
    }
}
