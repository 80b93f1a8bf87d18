package dev.tunelab.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Autoregressive decoding for a batch of prompts: left padding, optional key/value cache, greedy or
 * temperature/top-k/top-p sampling with repetition penalty, EOS and stop strings, streaming of the first sequence.
 */
final class Generator {
    private final CausalLM model;
    private final TextTokenizer tokenizer;

    Generator(CausalLM model, TextTokenizer tokenizer) {
        this.model = model;
        this.tokenizer = tokenizer;
    }

    List<Generation> generate(List<String> prompts, GenerationOptions options) {
        List<int[]> ids = new ArrayList<>();
        for (String p : prompts) {
            int[] e = tokenizer.encode(p, true);
            if (e.length == 0) {
                throw new IllegalArgumentException("empty prompt (and the tokenizer adds no BOS token)");
            }
            ids.add(e);
        }
        return generateIds(ids, options);
    }

    List<Generation> generateIds(List<int[]> prompts, GenerationOptions o) {
        long t0 = System.nanoTime();
        int b = prompts.size();
        int promptLen = prompts.stream().mapToInt(p -> p.length).max().orElse(0);
        int maxPositions = model.config().maxPositions();
        if (promptLen >= maxPositions) {
            throw new IllegalArgumentException("prompt of " + promptLen + " tokens leaves no room in the model's "
                    + maxPositions + " positions");
        }
        int steps = Math.min(o.maxNewTokens(), maxPositions - promptLen);
        int pad = tokenizer.padId() >= 0 ? tokenizer.padId() : Math.max(tokenizer.eosId(), 0);
        // Sequences so far, left padded: seq[i] = pad.. prompt.. generated..
        int[][] seq = new int[b][promptLen + steps];
        float[][] mask = new float[b][promptLen + steps];
        for (int i = 0; i < b; i++) {
            int off = promptLen - prompts.get(i).length;
            Arrays.fill(seq[i], 0, off, pad);
            System.arraycopy(prompts.get(i), 0, seq[i], off, prompts.get(i).length);
            Arrays.fill(mask[i], off, promptLen + steps, 1f);
        }
        List<List<Integer>> generated = new ArrayList<>();
        String[] finish = new String[b];
        String[] stopText = new String[b];
        for (int i = 0; i < b; i++) {
            generated.add(new ArrayList<>());
        }
        Sampler sampler = new Sampler(o, new SplittableRandom(o.seed()));
        Streamer streamer = o.onToken() == null ? null : new Streamer(o.onToken(), o.stop());
        boolean padded = prompts.stream().anyMatch(p -> p.length != promptLen);
        try (NDManager base = model.manager().newSubManager();
             KvCache cache = o.useCache() ? model.newCache() : null) {
            int len = promptLen;
            for (int step = 0; step < steps; step++) {
                int from = cache == null || step == 0 ? 0 : len - 1;
                int[] next;
                try (NDManager m = base.newSubManager()) {
                    NDArray input = m.create(slice(seq, from, len), new Shape(b, len - from));
                    NDArray am = padded ? m.create(slice(mask, from, len), new Shape(b, len - from)) : null;
                    next = sampler.choose(model.lastLogits(input, am, cache), seq, len);
                }
                boolean allDone = true;
                for (int i = 0; i < b; i++) {
                    seq[i][len] = finish[i] == null ? next[i] : pad;
                    if (finish[i] != null) {
                        continue;
                    }
                    if (next[i] == tokenizer.eosId()) {
                        finish[i] = "eos";
                        continue;
                    }
                    generated.get(i).add(next[i]);
                    if (!o.stop().isEmpty()) {
                        String text = tokenizer.decode(toArray(generated.get(i)));
                        for (String s : o.stop()) {
                            int at = s.isEmpty() ? -1 : text.indexOf(s);
                            if (at >= 0) {
                                finish[i] = "stop";
                                stopText[i] = text.substring(0, at);
                            }
                        }
                    }
                    if (i == 0 && streamer != null && finish[0] == null) {
                        streamer.update(tokenizer.decode(toArray(generated.get(0))));
                    }
                    allDone &= finish[i] != null;
                }
                len++;
                if (allDone) {
                    break;
                }
            }
        }
        double millis = (System.nanoTime() - t0) / 1e6;
        List<Generation> out = new ArrayList<>();
        for (int i = 0; i < b; i++) {
            int[] gen = toArray(generated.get(i));
            String text = stopText[i] != null ? stopText[i] : tokenizer.decode(gen);
            if (i == 0 && streamer != null) {
                streamer.finish(text);
            }
            out.add(new Generation(text, prompts.get(i).clone(), gen, finish[i] == null ? "length" : finish[i], millis));
        }
        return out;
    }

    private static int[] slice(int[][] a, int from, int to) {
        int[] out = new int[a.length * (to - from)];
        for (int i = 0; i < a.length; i++) {
            System.arraycopy(a[i], from, out, i * (to - from), to - from);
        }
        return out;
    }

    private static float[] slice(float[][] a, int from, int to) {
        float[] out = new float[a.length * (to - from)];
        for (int i = 0; i < a.length; i++) {
            System.arraycopy(a[i], from, out, i * (to - from), to - from);
        }
        return out;
    }

    static int[] toArray(List<Integer> l) {
        return l.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Chooses each sequence's next token from the last position's logits [B, V]. */
    static final class Sampler {
        private final GenerationOptions o;
        private final SplittableRandom rng;

        Sampler(GenerationOptions o, SplittableRandom rng) {
            this.o = o;
            this.rng = rng;
        }

        int[] choose(NDArray lastLogits, int[][] seq, int len) {
            int b = (int) lastLogits.getShape().get(0);
            if (o.greedy() && o.repetitionPenalty() == 1.0) {
                long[] arg = lastLogits.argMax(-1).toLongArray(); // torch's argmax is int64
                int[] out = new int[b];
                for (int i = 0; i < b; i++) {
                    out[i] = (int) arg[i];
                }
                return out;
            }
            float[] all = lastLogits.toType(DataType.FLOAT32, false).toFloatArray();
            int v = all.length / b;
            int[] out = new int[b];
            for (int i = 0; i < b; i++) {
                float[] row = Arrays.copyOfRange(all, i * v, (i + 1) * v);
                if (o.repetitionPenalty() != 1.0) {
                    penalize(row, seq[i], len, (float) o.repetitionPenalty());
                }
                out[i] = o.greedy() ? argMax(row) : sample(row);
            }
            return out;
        }

        /** CTRL (Keskar et al. 2019): seen tokens' positive logits divided by the penalty, negative ones multiplied. */
        static void penalize(float[] row, int[] seq, int len, float penalty) {
            boolean[] seen = new boolean[row.length];
            for (int j = 0; j < len; j++) {
                int t = seq[j];
                if (t >= 0 && t < row.length && !seen[t]) {
                    seen[t] = true;
                    row[t] = row[t] > 0 ? row[t] / penalty : row[t] * penalty;
                }
            }
        }

        static int argMax(float[] row) {
            int best = 0;
            for (int j = 1; j < row.length; j++) {
                if (row[j] > row[best]) {
                    best = j;
                }
            }
            return best;
        }

        int sample(float[] row) {
            int v = row.length;
            double temp = o.temperature() > 0 ? o.temperature() : 1.0;
            Integer[] order = new Integer[v];
            for (int j = 0; j < v; j++) {
                order[j] = j;
            }
            Arrays.sort(order, (x, y) -> Float.compare(row[y], row[x]));
            int keep = o.topK() > 0 ? Math.min(o.topK(), v) : v;
            double max = row[order[0]] / temp;
            double[] p = new double[keep];
            double sum = 0;
            for (int j = 0; j < keep; j++) {
                p[j] = Math.exp(row[order[j]] / temp - max);
                sum += p[j];
            }
            if (o.topP() < 1.0) {
                double cum = 0;
                int cut = keep;
                for (int j = 0; j < keep; j++) {
                    cum += p[j] / sum;
                    if (cum >= o.topP()) {
                        cut = j + 1;
                        break;
                    }
                }
                keep = cut;
                sum = 0;
                for (int j = 0; j < keep; j++) {
                    sum += p[j];
                }
            }
            double u = rng.nextDouble() * sum;
            for (int j = 0; j < keep; j++) {
                u -= p[j];
                if (u <= 0) {
                    return order[j];
                }
            }
            return order[keep - 1];
        }
    }

    /** Emits new text pieces, holding back partial UTF-8 and anything that could be the start of a stop string. */
    static final class Streamer {
        private final java.util.function.Consumer<String> sink;
        private final List<String> stops;
        private final StringBuilder emitted = new StringBuilder();

        Streamer(java.util.function.Consumer<String> sink, List<String> stops) {
            this.sink = sink;
            this.stops = stops;
        }

        void update(String text) {
            int safe = text.length();
            while (safe > 0 && text.charAt(safe - 1) == '\uFFFD') {
                safe--;
            }
            for (String s : stops) {
                for (int k = Math.min(s.length() - 1, safe); k > 0; k--) {
                    if (text.startsWith(s.substring(0, k), safe - k)) {
                        safe = Math.min(safe, safe - k);
                        break;
                    }
                }
            }
            if (safe > emitted.length() && text.startsWith(emitted.toString())) {
                String piece = text.substring(emitted.length(), safe);
                emitted.append(piece);
                sink.accept(piece);
            }
        }

        void finish(String finalText) {
            if (finalText.length() > emitted.length() && finalText.startsWith(emitted.toString())) {
                String piece = finalText.substring(emitted.length());
                emitted.append(piece);
                sink.accept(piece);
            }
        }
    }
}
