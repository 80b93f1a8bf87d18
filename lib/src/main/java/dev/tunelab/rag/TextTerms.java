package dev.tunelab.rag;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** The lexical tokenizer of {@link Bm25Index}: lowercase, split on anything not a letter or digit, optional stopwords. */
public final class TextTerms {
    /** A small English stopword list (articles, pronouns, auxiliaries, prepositions). */
    public static final Set<String> ENGLISH_STOPWORDS = Set.of("a", "an", "the", "and", "or", "but", "if", "of", "at",
            "by", "for", "with", "about", "to", "from", "in", "on", "into", "over", "under", "is", "are", "was", "were",
            "be", "been", "being", "am", "do", "does", "did", "have", "has", "had", "it", "its", "this", "that",
            "these", "those", "i", "you", "he", "she", "we", "they", "me", "him", "her", "us", "them", "my", "your",
            "his", "our", "their", "what", "which", "who", "whom", "as", "so", "than", "too", "very", "can", "will",
            "just", "should", "would", "could", "there", "here", "s", "t", "not", "no");

    private final Set<String> stopwords;

    private TextTerms(Set<String> stopwords) {
        this.stopwords = stopwords;
    }

    public static TextTerms plain() {
        return new TextTerms(Set.of());
    }

    public static TextTerms withStopwords(Set<String> stopwords) {
        return new TextTerms(Set.copyOf(stopwords));
    }

    public static TextTerms english() {
        return new TextTerms(ENGLISH_STOPWORDS);
    }

    public List<String> terms(String text) {
        List<String> out = new ArrayList<>();
        String lower = text.toLowerCase(Locale.ROOT);
        int start = -1;
        for (int i = 0; i <= lower.length(); i++) {
            boolean word = i < lower.length() && Character.isLetterOrDigit(lower.charAt(i));
            if (word && start < 0) {
                start = i;
            } else if (!word && start >= 0) {
                String t = lower.substring(start, i);
                if (!stopwords.contains(t)) {
                    out.add(t);
                }
                start = -1;
            }
        }
        return out;
    }
}
