package dev.tunelab.model.bpe;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * Learns byte-level BPE merges from text: count pre-tokens, then repeatedly merge the most frequent adjacent pair of
 * symbols (ties: the pair whose merged string sorts first) until the vocabulary is full. Pair counts are updated
 * incrementally, touching only the words that contain the merged pair.
 *
 * <pre>{@code
 * BpeTrainer trainer = new BpeTrainer(4096, List.of(BpeTokenizer.END_OF_TEXT, BpeTokenizer.PAD));
 * documents.forEach(trainer::addText);
 * BpeTokenizer tokenizer = trainer.train();
 * }</pre>
 */
public final class BpeTrainer {
    private final int vocabSize;
    private final List<String> specials;
    private int minFrequency = 2;
    private final Map<String, Integer> wordCounts = new HashMap<>();

    public BpeTrainer(int vocabSize, List<String> specials) {
        if (vocabSize < 256 + specials.size()) {
            throw new IllegalArgumentException("vocabSize " + vocabSize + " must hold 256 bytes + " + specials.size()
                    + " special tokens");
        }
        this.vocabSize = vocabSize;
        this.specials = List.copyOf(specials);
    }

    /** Pairs seen fewer times than this are never merged (default 2). */
    public BpeTrainer optMinFrequency(int minFrequency) {
        this.minFrequency = minFrequency;
        return this;
    }

    /** Counts the pre-tokens of one document; special-token strings inside it are ignored as text. */
    public BpeTrainer addText(String text) {
        for (String special : specials) {
            text = text.replace(special, " ");
        }
        for (String piece : ByteLevel.preTokenize(text)) {
            wordCounts.merge(ByteLevel.toByteChars(piece), 1, Integer::sum);
        }
        return this;
    }

    public int distinctWords() {
        return wordCounts.size();
    }

    private record Candidate(long pair, long count, String merged) {}

    public BpeTokenizer train() {
        List<String> vocab = new ArrayList<>();
        Map<String, Integer> ids = new HashMap<>();
        for (int b = 0; b < 256; b++) {
            String s = String.valueOf(ByteLevel.byteChar(b));
            ids.put(s, vocab.size());
            vocab.add(s);
        }
        List<String> words = new ArrayList<>(wordCounts.keySet());
        words.sort(null);
        int[][] symbols = new int[words.size()][];
        long[] counts = new long[words.size()];
        for (int w = 0; w < words.size(); w++) {
            String word = words.get(w);
            counts[w] = wordCounts.get(word);
            symbols[w] = new int[word.length()];
            for (int i = 0; i < word.length(); i++) {
                symbols[w][i] = ids.get(String.valueOf(word.charAt(i)));
            }
        }
        Map<Long, Long> pairCounts = new HashMap<>();
        Map<Long, Set<Integer>> where = new HashMap<>();
        for (int w = 0; w < symbols.length; w++) {
            addPairs(symbols[w], counts[w], w, pairCounts, where);
        }
        PriorityQueue<Candidate> queue = new PriorityQueue<>((a, b) -> a.count != b.count
                ? Long.compare(b.count, a.count) : a.merged.compareTo(b.merged));
        pairCounts.forEach((pair, count) -> queue.add(candidate(pair, count, vocab)));

        List<String[]> merges = new ArrayList<>();
        int target = vocabSize - specials.size();
        while (vocab.size() < target && !queue.isEmpty()) {
            Candidate best = queue.poll();
            long current = pairCounts.getOrDefault(best.pair, 0L);
            if (current != best.count) {
                if (current > 0) {
                    queue.add(candidate(best.pair, current, vocab));
                }
                continue;
            }
            if (current < minFrequency) {
                break;
            }
            int left = (int) (best.pair >>> 32);
            int right = (int) best.pair;
            String merged = vocab.get(left) + vocab.get(right);
            Integer mergedId = ids.get(merged);
            if (mergedId == null) {
                mergedId = vocab.size();
                ids.put(merged, mergedId);
                vocab.add(merged);
            }
            merges.add(new String[] {vocab.get(left), vocab.get(right)});
            Set<Long> touched = new HashSet<>();
            for (int w : new ArrayList<>(where.getOrDefault(best.pair, Set.of()))) {
                removePairs(symbols[w], counts[w], w, pairCounts, where, touched);
                symbols[w] = mergeWord(symbols[w], left, right, mergedId);
                addPairs(symbols[w], counts[w], w, pairCounts, where);
                collectPairs(symbols[w], touched);
            }
            for (long pair : touched) {
                long c = pairCounts.getOrDefault(pair, 0L);
                if (c > 0) {
                    queue.add(candidate(pair, c, vocab));
                }
            }
        }
        vocab.addAll(specials);
        return new BpeTokenizer(vocab, merges, specials, true);
    }

    private static Candidate candidate(long pair, long count, List<String> vocab) {
        return new Candidate(pair, count, vocab.get((int) (pair >>> 32)) + " " + vocab.get((int) pair));
    }

    static int[] mergeWord(int[] word, int left, int right, int merged) {
        int[] out = new int[word.length];
        int n = 0;
        for (int i = 0; i < word.length; i++) {
            if (i + 1 < word.length && word[i] == left && word[i + 1] == right) {
                out[n++] = merged;
                i++;
            } else {
                out[n++] = word[i];
            }
        }
        return java.util.Arrays.copyOf(out, n);
    }

    private static void addPairs(int[] word, long count, int w, Map<Long, Long> pairCounts,
                                 Map<Long, Set<Integer>> where) {
        for (int i = 0; i + 1 < word.length; i++) {
            long key = BpeTokenizer.pairKey(word[i], word[i + 1]);
            pairCounts.merge(key, count, Long::sum);
            where.computeIfAbsent(key, k -> new HashSet<>()).add(w);
        }
    }

    private static void removePairs(int[] word, long count, int w, Map<Long, Long> pairCounts,
                                    Map<Long, Set<Integer>> where, Set<Long> touched) {
        for (int i = 0; i + 1 < word.length; i++) {
            long key = BpeTokenizer.pairKey(word[i], word[i + 1]);
            long left = pairCounts.merge(key, -count, Long::sum);
            if (left <= 0) {
                pairCounts.remove(key);
            }
            Set<Integer> ws = where.get(key);
            if (ws != null) {
                ws.remove(w);
                if (ws.isEmpty()) {
                    where.remove(key);
                }
            }
            touched.add(key);
        }
    }

    private static void collectPairs(int[] word, Set<Long> into) {
        for (int i = 0; i + 1 < word.length; i++) {
            into.add(BpeTokenizer.pairKey(word[i], word[i + 1]));
        }
    }
}
