package dev.tunelab.data;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks that no validation/test input also appears in train once normalised ({@link NearDuplicates#normalize}:
 * NFKC, lower case, punctuation and extra whitespace dropped), so a score cannot come from memorised rows.
 */
public final class Leakage {
    /** One leaked example: its id in the evaluated part, the train id holding the same text, and that text. */
    public record Leak(String part, String id, String trainId, String normalizedText) {}

    /** @param leaks every validation/test example whose normalised input is also a train input */
    public record Report(int trainSize, int validationSize, int testSize, List<Leak> leaks) {
        public Report {
            leaks = List.copyOf(leaks);
        }

        public boolean clean() {
            return leaks.isEmpty();
        }

        public long count(String part) {
            return leaks.stream().filter(l -> l.part().equals(part)).count();
        }

        /** The split with leaked validation/test examples removed. */
        public Split removeFrom(Split split) {
            Set<String> ids = new HashSet<>();
            leaks.forEach(l -> ids.add(l.id()));
            return new Split(split.name(), split.task(), split.labels(), split.train(),
                    split.validation().stream().filter(e -> !ids.contains(e.id())).toList(),
                    split.test().stream().filter(e -> !ids.contains(e.id())).toList());
        }

        @Override
        public String toString() {
            return "leakage: " + count("validation") + " validation and " + count("test") + " test inputs also in train";
        }
    }

    private Leakage() {}

    public static Report check(Split split) {
        Map<String, String> train = new HashMap<>();
        for (Example e : split.train()) {
            train.putIfAbsent(NearDuplicates.normalize(e.input()), e.id());
        }
        List<Leak> leaks = new ArrayList<>();
        find("validation", split.validation(), train, leaks);
        find("test", split.test(), train, leaks);
        return new Report(split.train().size(), split.validation().size(), split.test().size(), leaks);
    }

    private static void find(String part, List<Example> examples, Map<String, String> train, List<Leak> out) {
        for (Example e : examples) {
            String key = NearDuplicates.normalize(e.input());
            String trainId = train.get(key);
            if (trainId != null) {
                out.add(new Leak(part, e.id(), trainId, key));
            }
        }
    }
}
