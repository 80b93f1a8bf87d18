package dev.tunelab.tune;

import dev.tunelab.model.TextTokenizer;

import java.nio.charset.StandardCharsets;

/** Test tokenizer: one token per UTF-8 byte, BOS 256, EOS 257, PAD 258. */
final class ByteTokenizer implements TextTokenizer {
    @Override
    public int[] encode(String text, boolean addSpecial) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        int off = addSpecial ? 1 : 0;
        int[] ids = new int[b.length + off];
        if (addSpecial) {
            ids[0] = 256;
        }
        for (int i = 0; i < b.length; i++) {
            ids[i + off] = b[i] & 0xFF;
        }
        return ids;
    }

    @Override
    public String decode(int[] ids) {
        StringBuilder sb = new StringBuilder();
        for (int id : ids) {
            if (id < 256) {
                sb.append((char) id);
            }
        }
        return sb.toString();
    }

    @Override
    public int vocabSize() {
        return 259;
    }

    @Override
    public int bosId() {
        return 256;
    }

    @Override
    public int eosId() {
        return 257;
    }

    @Override
    public int padId() {
        return 258;
    }
}
