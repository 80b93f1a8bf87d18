package dev.tunelab.prompt;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Maps generated text to a label: the label whose word (or a synonym of it) appears first, matched as a whole word,
 * case-insensitively. Text that mentions none of them is {@link #UNPARSED}: recorded as such and counted wrong.
 */
public final class AnswerParser {
    /** The label given to an answer that names no label. It never equals a real label. */
    public static final String UNPARSED = "<unparsed>";

    /** Common synonyms of common label words, used unless replaced. */
    public static final Map<String, List<String>> DEFAULT_SYNONYMS = Map.of(
            "positive", List.of("pos", "good", "great", "favorable", "favourable"),
            "negative", List.of("neg", "bad", "poor", "unfavorable", "unfavourable"),
            "neutral", List.of("mixed"),
            "yes", List.of("true", "correct"),
            "no", List.of("false", "incorrect"));

    private record Cue(String text, String label) {}

    private final List<Cue> cues = new ArrayList<>();

    private AnswerParser(Verbalizer verbalizer, Map<String, List<String>> synonyms) {
        // label words first so that an explicit word wins over a synonym at the same position
        for (Map.Entry<String, String> e : verbalizer.asMap().entrySet()) {
            cues.add(new Cue(norm(e.getValue()), e.getKey()));
            if (!norm(e.getKey()).equals(norm(e.getValue()))) {
                cues.add(new Cue(norm(e.getKey()), e.getKey()));
            }
        }
        List<String> words = new ArrayList<>();
        for (Cue c : cues) {
            words.add(c.text);
        }
        for (Map.Entry<String, String> e : verbalizer.asMap().entrySet()) {
            for (String syn : synonyms.getOrDefault(norm(e.getValue()), List.of())) {
                // a synonym that is another label's own word stays that label's
                if (!words.contains(norm(syn))) {
                    cues.add(new Cue(norm(syn), e.getKey()));
                }
            }
        }
    }

    public static AnswerParser of(Verbalizer verbalizer) {
        return new AnswerParser(verbalizer, DEFAULT_SYNONYMS);
    }

    /** With your own synonyms, keyed by label word. */
    public static AnswerParser of(Verbalizer verbalizer, Map<String, List<String>> synonyms) {
        Map<String, List<String>> lower = new LinkedHashMap<>();
        synonyms.forEach((k, v) -> lower.put(norm(k), v));
        return new AnswerParser(verbalizer, lower);
    }

    /** The label named first in {@code text}, or {@link #UNPARSED}. */
    public String parse(String text) {
        if (text == null) {
            return UNPARSED;
        }
        String t = norm(text);
        int bestPos = Integer.MAX_VALUE;
        int bestLen = -1;
        String best = UNPARSED;
        for (Cue c : cues) {
            int pos = firstWholeWord(t, c.text);
            // earliest mention wins; at the same position the longer cue ("not good" over "not") wins
            if (pos >= 0 && (pos < bestPos || (pos == bestPos && c.text.length() > bestLen))) {
                bestPos = pos;
                bestLen = c.text.length();
                best = c.label;
            }
        }
        return best;
    }

    private static int firstWholeWord(String text, String word) {
        if (word.isEmpty()) {
            return -1;
        }
        int from = 0;
        while (true) {
            int at = text.indexOf(word, from);
            if (at < 0) {
                return -1;
            }
            int end = at + word.length();
            boolean startOk = at == 0 || !Character.isLetterOrDigit(text.charAt(at - 1));
            boolean endOk = end == text.length() || !Character.isLetterOrDigit(text.charAt(end));
            if (startOk && endOk) {
                return at;
            }
            from = at + 1;
        }
    }

    private static String norm(String s) {
        return s.strip().toLowerCase(Locale.ROOT);
    }
}
