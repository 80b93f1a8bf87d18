package dev.tunelab.model.bpe;

import dev.tunelab.model.TextTokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A GPT-2 style byte-level BPE tokenizer: ids 0..255 are the single bytes, then one token per learned merge, then the
 * special tokens. Encoding splits out special tokens, pre-tokenises with {@link ByteLevel#PRE_TOKENIZE} and applies
 * merges lowest rank first, exactly as Hugging Face's tokenizers library does for the saved {@code tokenizer.json}.
 */
public final class BpeTokenizer implements TextTokenizer {
    public static final String END_OF_TEXT = "<|endoftext|>";
    public static final String PAD = "<|pad|>";
    private static final int CACHE_LIMIT = 200_000;

    private final List<String> vocab;
    private final Map<String, Integer> ids;
    private final List<String[]> merges;
    private final Map<Long, int[]> mergeTable;
    private final Map<String, Integer> specials;
    private final boolean addBos;
    private final Map<String, int[]> cache = new ConcurrentHashMap<>();

    /**
     * @param vocab    token strings (byte-level characters) by id, specials included
     * @param merges   merge rules in rank order, each {left, right}
     * @param specials special token contents (must be in {@code vocab})
     * @param addBos   whether {@code encode(text, true)} prepends {@code <|endoftext|>}
     */
    public BpeTokenizer(List<String> vocab, List<String[]> merges, List<String> specials, boolean addBos) {
        this.vocab = List.copyOf(vocab);
        this.ids = new HashMap<>();
        for (int i = 0; i < vocab.size(); i++) {
            if (ids.put(vocab.get(i), i) != null) {
                throw new IllegalArgumentException("duplicate vocabulary entry '" + vocab.get(i) + "' at id " + i);
            }
        }
        this.merges = List.copyOf(merges);
        this.mergeTable = new HashMap<>();
        for (int rank = 0; rank < merges.size(); rank++) {
            String[] m = merges.get(rank);
            int left = idOf(m[0], "merge " + rank);
            int right = idOf(m[1], "merge " + rank);
            int merged = idOf(m[0] + m[1], "merge " + rank);
            mergeTable.putIfAbsent(pairKey(left, right), new int[] {rank, merged});
        }
        this.specials = new LinkedHashMap<>();
        for (String s : specials) {
            this.specials.put(s, idOf(s, "special token"));
        }
        this.addBos = addBos;
    }

    private int idOf(String token, String where) {
        Integer id = ids.get(token);
        if (id == null) {
            throw new IllegalArgumentException(where + ": token '" + token + "' is not in the vocabulary");
        }
        return id;
    }

    static long pairKey(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    public List<String> vocab() {
        return vocab;
    }

    public List<String[]> merges() {
        return merges;
    }

    public Map<String, Integer> specials() {
        return Collections.unmodifiableMap(specials);
    }

    public boolean addsBos() {
        return addBos;
    }

    /** Token id of a token string, or -1. */
    public int tokenId(String token) {
        return ids.getOrDefault(token, -1);
    }

    @Override
    public int[] encode(String text, boolean addSpecial) {
        List<Integer> out = new ArrayList<>();
        if (addSpecial && addBos) {
            out.add(bosId());
        }
        int pos = 0;
        while (pos < text.length()) {
            int nextAt = -1;
            String next = null;
            for (String s : specials.keySet()) {
                int at = text.indexOf(s, pos);
                if (at >= 0 && (nextAt < 0 || at < nextAt || (at == nextAt && s.length() > next.length()))) {
                    nextAt = at;
                    next = s;
                }
            }
            int end = nextAt < 0 ? text.length() : nextAt;
            encodeOrdinary(text.substring(pos, end), out);
            if (next == null) {
                break;
            }
            out.add(specials.get(next));
            pos = nextAt + next.length();
        }
        int[] result = new int[out.size()];
        for (int i = 0; i < result.length; i++) {
            result[i] = out.get(i);
        }
        return result;
    }

    private void encodeOrdinary(String text, List<Integer> out) {
        for (String piece : ByteLevel.preTokenize(text)) {
            int[] pieceIds = cache.get(piece);
            if (pieceIds == null) {
                pieceIds = applyMerges(ByteLevel.toByteChars(piece));
                if (cache.size() < CACHE_LIMIT) {
                    cache.put(piece, pieceIds);
                }
            }
            for (int id : pieceIds) {
                out.add(id);
            }
        }
    }

    /** Byte ids of the piece, then repeatedly merges the lowest-ranked adjacent pair (leftmost on ties). */
    private int[] applyMerges(String byteChars) {
        int n = byteChars.length();
        int[] symbols = new int[n];
        for (int i = 0; i < n; i++) {
            symbols[i] = idOf(String.valueOf(byteChars.charAt(i)), "byte");
        }
        while (n > 1) {
            int bestRank = Integer.MAX_VALUE;
            int bestAt = -1;
            int bestId = -1;
            for (int i = 0; i + 1 < n; i++) {
                int[] m = mergeTable.get(pairKey(symbols[i], symbols[i + 1]));
                if (m != null && m[0] < bestRank) {
                    bestRank = m[0];
                    bestAt = i;
                    bestId = m[1];
                }
            }
            if (bestAt < 0) {
                break;
            }
            symbols[bestAt] = bestId;
            System.arraycopy(symbols, bestAt + 2, symbols, bestAt + 1, n - bestAt - 2);
            n--;
        }
        return java.util.Arrays.copyOf(symbols, n);
    }

    @Override
    public String decode(int[] tokenIds) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int id : tokenIds) {
            if (id < 0 || id >= vocab.size()) {
                throw new IllegalArgumentException("token id " + id + " outside vocabulary of " + vocab.size());
            }
            String token = vocab.get(id);
            if (specials.containsKey(token)) {
                bytes.writeBytes(token.getBytes(StandardCharsets.UTF_8));
            } else {
                ByteLevel.appendBytes(token, bytes);
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Override
    public int vocabSize() {
        return vocab.size();
    }

    @Override
    public int bosId() {
        return addBos ? specials.getOrDefault(END_OF_TEXT, -1) : -1;
    }

    @Override
    public int eosId() {
        return specials.getOrDefault(END_OF_TEXT, -1);
    }

    @Override
    public int padId() {
        return specials.getOrDefault(PAD, eosId());
    }
}
