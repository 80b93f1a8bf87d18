package dev.tunelab.prompt;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The word a model should say for each label ("1" → "positive"). Label scoring scores these words, demonstrations
 * show them, the answer parser maps them (and their synonyms) back to labels. For generation tasks it is the identity.
 */
public final class Verbalizer {
    private final Map<String, String> words;

    private Verbalizer(Map<String, String> words) {
        this.words = Collections.unmodifiableMap(new LinkedHashMap<>(words));
    }

    /** Each label is its own word; with no labels, every target passes through unchanged. */
    public static Verbalizer identity(List<String> labels) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String l : labels) {
            m.put(l, l);
        }
        return new Verbalizer(m);
    }

    /** An explicit label → word map, in label order; words must be distinct and non-blank. */
    public static Verbalizer of(Map<String, String> labelToWord) {
        Map<String, String> seen = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : labelToWord.entrySet()) {
            String w = e.getValue();
            if (w == null || w.isBlank()) {
                throw new IllegalArgumentException("verbalizer: label '" + e.getKey() + "' has a blank word");
            }
            String prev = seen.put(w.strip().toLowerCase(java.util.Locale.ROOT), e.getKey());
            if (prev != null) {
                throw new IllegalArgumentException("verbalizer: labels '" + prev + "' and '" + e.getKey()
                        + "' share the word '" + w + "'");
            }
        }
        return new Verbalizer(labelToWord);
    }

    /**
     * Sensible words for common label sets: 0/1 or neg/pos sentiment labels become negative/positive; any other
     * label set is the identity.
     */
    public static Verbalizer forLabels(List<String> labels) {
        if (labels.size() == 2 && labels.containsAll(List.of("0", "1"))) {
            return of(orderedLike(labels, Map.of("0", "negative", "1", "positive")));
        }
        if (labels.size() == 2 && labels.containsAll(List.of("neg", "pos"))) {
            return of(orderedLike(labels, Map.of("neg", "negative", "pos", "positive")));
        }
        return identity(labels);
    }

    private static Map<String, String> orderedLike(List<String> labels, Map<String, String> m) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String l : labels) {
            out.put(l, m.get(l));
        }
        return out;
    }

    public List<String> labels() {
        return new ArrayList<>(words.keySet());
    }

    public List<String> words() {
        return new ArrayList<>(words.values());
    }

    /** The word for a label; a target that is not a label (generation) is returned unchanged. */
    public String word(String label) {
        return words.getOrDefault(label, label);
    }

    public Map<String, String> asMap() {
        return words;
    }

    @Override
    public String toString() {
        return words.toString();
    }
}
