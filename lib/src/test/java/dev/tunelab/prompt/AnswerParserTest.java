package dev.tunelab.prompt;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class AnswerParserTest {
    private final AnswerParser sentiment = AnswerParser.of(Verbalizer.forLabels(List.of("0", "1")));

    @Test
    void firstMentionedLabelWordWinsCaseInsensitively() {
        assertEquals("1", sentiment.parse(" Positive"));
        assertEquals("0", sentiment.parse("NEGATIVE."));
        assertEquals("0", sentiment.parse("negative, not positive"));
        assertEquals("1", sentiment.parse("It is positive rather than negative"));
    }

    @Test
    void synonymsAndRawLabelsCount() {
        assertEquals("1", sentiment.parse("good"));
        assertEquals("0", sentiment.parse("Pretty bad, honestly"));
        assertEquals("1", sentiment.parse("1"));
        assertEquals("0", sentiment.parse("Label: 0"));
    }

    @Test
    void partsOfWordsDoNotCount() {
        // "positively" and "goodness" are not whole-word mentions; "badminton" is not "bad"
        assertEquals(AnswerParser.UNPARSED, sentiment.parse("positively goodness badminton"));
        assertEquals("0", sentiment.parse("Nonpositive... negative"));
    }

    @Test
    void nothingRecognisableIsUnparsed() {
        assertEquals(AnswerParser.UNPARSED, sentiment.parse("The movie was long."));
        assertEquals(AnswerParser.UNPARSED, sentiment.parse(""));
        assertEquals(AnswerParser.UNPARSED, sentiment.parse(null));
    }

    @Test
    void customLabelsAndSynonyms() {
        AnswerParser p = AnswerParser.of(Verbalizer.identity(List.of("sports", "politics", "tech")),
                Map.of("tech", List.of("technology", "computers")));
        assertEquals("tech", p.parse("This is about Technology and sports"));
        assertEquals("politics", p.parse("politics"));
        assertEquals(AnswerParser.UNPARSED, p.parse("weather"));
    }

    @Test
    void verbalizerRejectsSharedWords() {
        assertThrows(IllegalArgumentException.class, () -> Verbalizer.of(Map.of("a", "yes", "b", "Yes")));
    }
}
