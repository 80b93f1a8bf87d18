package dev.tunelab.model.bpe;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * GPT-2's byte-level view of text: a pre-tokenisation regex that cuts text into word-like pieces, and a reversible
 * mapping of every byte to a printable Unicode character so that byte sequences can be stored as plain strings
 * (space becomes 'Ġ', newline 'Ċ'). Matches Hugging Face's {@code ByteLevel} pre-tokenizer with
 * {@code add_prefix_space=false, use_regex=true}.
 */
public final class ByteLevel {
    /**
     * Contractions, optional-space + letters, optional-space + digits, optional-space + other symbols, whitespace
     * not followed by a non-space (so "a  b" keeps one space attached to "b"), remaining whitespace.
     */
    public static final Pattern PRE_TOKENIZE = Pattern.compile(
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+",
            Pattern.UNICODE_CHARACTER_CLASS);

    private static final char[] BYTE_TO_CHAR = new char[256];
    private static final int[] CHAR_TO_BYTE = new int[512];

    static {
        java.util.Arrays.fill(CHAR_TO_BYTE, -1);
        int extra = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            char c = printable ? (char) b : (char) (256 + extra++);
            BYTE_TO_CHAR[b] = c;
            CHAR_TO_BYTE[c] = b;
        }
    }

    private ByteLevel() {}

    /** Splits text into pre-tokens (substrings of the original text). */
    public static List<String> preTokenize(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = PRE_TOKENIZE.matcher(text);
        while (m.find()) {
            out.add(m.group());
        }
        return out;
    }

    /** The UTF-8 bytes of {@code piece}, each written as its stand-in character. */
    public static String toByteChars(String piece) {
        byte[] bytes = piece.getBytes(StandardCharsets.UTF_8);
        char[] chars = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            chars[i] = BYTE_TO_CHAR[bytes[i] & 0xFF];
        }
        return new String(chars);
    }

    public static char byteChar(int b) {
        return BYTE_TO_CHAR[b];
    }

    /** Appends the bytes that {@code byteChars} stands for; a character outside the mapping is an error. */
    public static void appendBytes(String byteChars, java.io.ByteArrayOutputStream out) {
        for (int i = 0; i < byteChars.length(); i++) {
            char c = byteChars.charAt(i);
            int b = c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
            if (b < 0) {
                throw new IllegalArgumentException("not a byte-level character: U+" + Integer.toHexString(c)
                        + " in token '" + byteChars + "'");
            }
            out.write(b);
        }
    }
}
