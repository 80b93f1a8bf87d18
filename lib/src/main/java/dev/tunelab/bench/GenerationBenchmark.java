package dev.tunelab.bench;

import dev.tunelab.model.DecoderLanguageModel;
import dev.tunelab.model.Generation;
import dev.tunelab.model.GenerationOptions;
import dev.tunelab.model.LanguageModel;
import dev.tunelab.model.LlamaConfig;
import dev.tunelab.model.Models;
import dev.tunelab.model.TextTokenizer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Greedy decoding throughput of our Llama against the same weights in the PyTorch reference implementation
 * (reference_models.py, KV cache on both sides), plus the speed-up our KV cache gives over recomputing every
 * position, at 256 new tokens. The peer stays running and the two sides take turns, one generation each, so that
 * both see the same machine load; medians of the repetitions are compared.
 */
public final class GenerationBenchmark implements Benchmark {
    @Override
    public String name() {
        return "generation";
    }

    @Override
    public String description() {
        return "greedy tokens/s (KV cache) vs PyTorch on the same Llama weights; KV-cache speed-up at 256 tokens";
    }

    @Override
    public List<BenchResult> run(BenchContext ctx) throws Exception {
        LlamaConfig config = ctx.quick()
                ? LlamaConfig.tiny(2048, 64, 172, 2, 4, 2, 512)
                : LlamaConfig.tiny(4096, 256, 688, 4, 8, 2, 512); // the embedded default model's shape
        int newTokens = ctx.quick() ? 64 : 256;
        int promptLen = 16;
        Path work = Files.createDirectories(ctx.workDir().resolve("generation"));
        int[] prompt = new int[promptLen];
        for (int i = 0; i < promptLen; i++) {
            prompt[i] = 1 + (i * 37) % (config.vocabSize() - 1);
        }
        GenerationOptions greedy = GenerationOptions.defaults().withMaxNewTokens(newTokens);
        String missing = PythonPeer.missing("torch");
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("config", "llama hidden " + config.hiddenSize() + ", layers " + config.numLayers() + ", heads "
                + config.numHeads() + "/" + config.numKvHeads() + ", vocab " + config.vocabSize());
        extra.put("threads", ctx.threads());
        extra.put("prompt_tokens", promptLen);
        extra.put("new_tokens", newTokens);
        extra.put("load_average_at_start", java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                .getSystemLoadAverage());
        List<Double> ourSeconds = new ArrayList<>();
        List<Double> ourCpu = new ArrayList<>();
        List<Double> peerSeconds = new ArrayList<>();
        List<Double> peerCpu = new ArrayList<>();
        double withoutCache;
        // Same intra-op thread count as the peer (restored afterwards).
        dev.tunelab.model.DjlSetup.defaultDevice(); // loads the engine (and its native library)
        int previousThreads = ai.djl.pytorch.jni.JniUtils.getNumThreads();
        ai.djl.pytorch.jni.JniUtils.setNumThreads(ctx.threads());
        try (LanguageModel lm = Models.random(config, new NoEosTokenizer(config.vocabSize()), 1)) {
            DecoderLanguageModel d = (DecoderLanguageModel) lm;
            Models.saveWeights(lm.model(), work, dev.tunelab.model.Safetensors.Precision.F32);
            for (int w = 0; w < 3; w++) {
                d.generateIds(List.of(prompt), greedy); // warm-up: the JIT compiles the decode path
            }
            PeerSession peer = null;
            if (missing == null) {
                try {
                    peer = startPeer(work, prompt, newTokens, ctx.threads());
                } catch (IOException e) {
                    missing = "reference failed: " + e.getMessage();
                }
            }
            try {
                int[] ids = null;
                // Alternate ours and the peer's generations so that both see the same machine load.
                for (int r = 0; r < ctx.repetitions(); r++) {
                    long c0 = threadCpuNanos();
                    Generation g = d.generateIds(List.of(prompt), greedy).get(0);
                    ourCpu.add((threadCpuNanos() - c0) / 1e9);
                    ourSeconds.add(g.millis() / 1000.0);
                    ids = g.generatedIds();
                    if (peer != null) {
                        try {
                            String line = peer.ask("run");
                            peerSeconds.add(number(line, "seconds"));
                            peerCpu.add(number(line, "cpu_seconds"));
                        } catch (IOException | NumberFormatException e) {
                            missing = "reference failed: " + e.getMessage();
                            peerSeconds.clear();
                            peerCpu.clear();
                            peer.close();
                            peer = null;
                        }
                    }
                }
                Generation slow = d.generateIds(List.of(prompt), greedy.withCache(false)).get(0);
                withoutCache = newTokens / (slow.millis() / 1000.0);
                if (!Arrays.equals(ids, slow.generatedIds())) {
                    throw new IllegalStateException("generation with and without KV cache disagree");
                }
            } finally {
                if (peer != null) {
                    peer.close();
                }
            }
        } finally {
            ai.djl.pytorch.jni.JniUtils.setNumThreads(previousThreads);
        }
        double withCache = newTokens / median(ourSeconds);
        extra.put("kv_cache_speedup", withCache / withoutCache);
        extra.put("tokens_per_s_without_cache", withoutCache);
        extra.put("cpu_ms_per_token", 1000 * median(ourCpu) / newTokens);
        Double peerTokens = null;
        if (!peerSeconds.isEmpty()) {
            peerTokens = newTokens / median(peerSeconds);
            extra.put("peer_cpu_ms_per_token", 1000 * median(peerCpu) / newTokens);
            extra.put("cpu_time_ratio", median(peerCpu) / median(ourCpu));
            extra.put("interleaved_repetitions", ctx.repetitions());
            extra.put("ours_seconds", ourSeconds);
            extra.put("peer_seconds", peerSeconds);
        }
        List<BenchResult> out = new ArrayList<>();
        out.add(new BenchResult("generation", withCache, peerTokens, "tokens/s", true,
                "PyTorch (python3-torch, same weights, KV cache)", missing, extra));
        out.add(new BenchResult("generation-kv-cache", withCache, withoutCache, "tokens/s", true,
                "TuneLab without KV cache", null, Map.of("new_tokens", newTokens)));
        return out;
    }

    /** The peer: reference_models.py "serve" on the same weights, one timed generation per request. */
    private static PeerSession startPeer(Path work, int[] prompt, int newTokens, int threads) throws IOException {
        String script;
        try (InputStream in = GenerationBenchmark.class.getResourceAsStream("/dev/tunelab/model/reference_models.py")) {
            script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Path request = work.resolve("request.json");
        Files.writeString(request, "{\"ids\": [" + Arrays.toString(prompt) + "], \"mask\": null, \"new_tokens\": "
                + newTokens + "}");
        return PeerSession.start(script, List.of("serve", work.toString(), request.toString()), threads, work);
    }

    private static double number(String jsonLine, String key) {
        return Double.parseDouble(jsonLine.replaceAll(".*\"" + key + "\": ([0-9.eE+-]+).*", "$1"));
    }

    /**
     * CPU time of the generating thread. With intra-op threads = 1 the native kernels run on it, so this is the
     * counterpart of the peer's process_time without JIT and GC threads.
     */
    private static long threadCpuNanos() {
        return java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
    }

    private static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        s.sort(Double::compare);
        return s.get(s.size() / 2);
    }

    /** Ids as text are irrelevant here; no EOS so every run generates exactly the requested tokens. */
    private record NoEosTokenizer(int vocab) implements TextTokenizer {
        @Override
        public int[] encode(String text, boolean addSpecial) {
            return text.chars().map(c -> c % vocab).toArray();
        }

        @Override
        public String decode(int[] ids) {
            return "";
        }

        @Override
        public int vocabSize() {
            return vocab;
        }

        @Override
        public int bosId() {
            return -1;
        }

        @Override
        public int eosId() {
            return -1;
        }

        @Override
        public int padId() {
            return 0;
        }
    }
}
