package dev.tunelab.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a file as lines split on '\n' only (a U+0085 inside a sentence stays text), decoding each line with a strict
 * UTF-8 decoder so that an invalid byte is reported with its line instead of becoming U+FFFD.
 */
final class StrictLines {
    /** One physical line; {@code text} is null when the bytes are not valid UTF-8 ({@code error} says why). */
    record Line(long number, String text, String error) {}

    private StrictLines() {}

    static List<Line> read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        List<Line> lines = new ArrayList<>();
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        int start = 0;
        long number = 1;
        if (bytes.length >= 3 && (bytes[0] & 0xff) == 0xEF && (bytes[1] & 0xff) == 0xBB && (bytes[2] & 0xff) == 0xBF) {
            start = 3;
        }
        while (start < bytes.length) {
            int end = start;
            while (end < bytes.length && bytes[end] != '\n') {
                end++;
            }
            int stop = end > start && bytes[end - 1] == '\r' ? end - 1 : end;
            lines.add(decode(decoder, bytes, start, stop, number));
            start = end + 1;
            number++;
        }
        return lines;
    }

    /** The whole file, strictly decoded; the error names the line of the first invalid byte. */
    static String readAll(Path file) {
        StringBuilder sb = new StringBuilder();
        for (Line line : read(file)) {
            if (line.text() == null) {
                throw new DataFormatException(file.toString(), line.number(), null, line.error());
            }
            sb.append(line.text()).append('\n');
        }
        return sb.toString();
    }

    private static Line decode(CharsetDecoder decoder, byte[] bytes, int from, int to, long number) {
        try {
            CharBuffer chars = decoder.reset().decode(ByteBuffer.wrap(bytes, from, to - from));
            return new Line(number, chars.toString(), null);
        } catch (CharacterCodingException e) {
            int bad = firstInvalid(decoder, bytes, from, to);
            return new Line(number, null, "invalid UTF-8 byte 0x" + String.format("%02X", bytes[bad] & 0xff)
                    + " at column " + (bad - from + 1));
        }
    }

    private static int firstInvalid(CharsetDecoder decoder, byte[] bytes, int from, int to) {
        ByteBuffer in = ByteBuffer.wrap(bytes, from, to - from);
        CharBuffer out = CharBuffer.allocate(to - from + 1);
        decoder.reset().decode(in, out, true);
        return Math.min(in.position(), to - 1);
    }
}
