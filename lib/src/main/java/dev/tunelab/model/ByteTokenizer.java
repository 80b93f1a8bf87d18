package dev.tunelab.model;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * UTF-8 bytes as tokens (ids 0-255) plus BOS 256, EOS 257, PAD 258: needs no vocabulary file, so tiny random and
 * from-scratch models work anywhere. Saved checkpoints mark it in tokenizer_config.json.
 */
public final class ByteTokenizer implements TextTokenizer {
    public static final String CLASS_NAME = "TuneLabByteTokenizer";
    public static final int BOS = 256;
    public static final int EOS = 257;
    public static final int PAD = 258;

    @Override
    public int[] encode(String text, boolean addSpecial) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        int offset = addSpecial ? 1 : 0;
        int[] ids = new int[bytes.length + offset];
        if (addSpecial) {
            ids[0] = BOS;
        }
        for (int i = 0; i < bytes.length; i++) {
            ids[i + offset] = bytes[i] & 0xFF;
        }
        return ids;
    }

    @Override
    public String decode(int[] ids) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(ids.length);
        for (int id : ids) {
            if (id >= 0 && id < 256) {
                out.write(id);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Override
    public int vocabSize() {
        return 259;
    }

    @Override
    public int bosId() {
        return BOS;
    }

    @Override
    public int eosId() {
        return EOS;
    }

    @Override
    public int padId() {
        return PAD;
    }
}
