package dev.tunelab.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Seeded train/validation/test splits. Sizes: test = round(n·test), validation = round(n·validation), train = the
 * rest; stratified splits apply this per label so each part keeps the label shares (±1 row per label).
 */
final class Splitter {
    private Splitter() {}

    static Split split(Dataset d, double train, double validation, double test, long seed, boolean stratified) {
        if (train < 0 || validation < 0 || test < 0 || Math.abs(train + validation + test - 1.0) > 1e-6) {
            throw new IllegalArgumentException("split fractions must be ≥ 0 and sum to 1, got "
                    + train + "/" + validation + "/" + test);
        }
        List<Example> examples = d.toExamples();
        Random random = new Random(seed);
        List<Example> tr = new ArrayList<>();
        List<Example> va = new ArrayList<>();
        List<Example> te = new ArrayList<>();
        if (stratified) {
            if (d.task() != TaskType.CLASSIFICATION) {
                throw new IllegalStateException("a stratified split needs a label column: call .label(column)");
            }
            Map<String, List<Example>> byLabel = new LinkedHashMap<>();
            for (String label : d.labels()) {
                byLabel.put(label, new ArrayList<>());
            }
            for (Example e : examples) {
                byLabel.get(e.target()).add(e);
            }
            for (List<Example> group : byLabel.values()) {
                cut(group, validation, test, random, tr, va, te);
            }
            Collections.shuffle(tr, random);
            Collections.shuffle(va, random);
            Collections.shuffle(te, random);
        } else {
            cut(new ArrayList<>(examples), validation, test, random, tr, va, te);
        }
        String name = d.name() + (stratified ? " stratified" : "") + " seed " + seed;
        return new Split(name, d.task(), d.labels(), tr, va, te);
    }

    private static void cut(List<Example> group, double validation, double test, Random random, List<Example> tr,
                            List<Example> va, List<Example> te) {
        Collections.shuffle(group, random);
        int n = group.size();
        int nTest = (int) Math.round(n * test);
        int nVal = Math.min(n - nTest, (int) Math.round(n * validation));
        te.addAll(group.subList(0, nTest));
        va.addAll(group.subList(nTest, nTest + nVal));
        tr.addAll(group.subList(nTest + nVal, n));
    }
}
