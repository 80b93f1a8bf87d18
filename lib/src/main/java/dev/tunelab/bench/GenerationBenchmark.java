package dev.tunelab.bench;

import dev.tunelab.model.DecoderLanguageModel;
import dev.tunelab.model.Generation;
import dev.tunelab.model.GenerationOptions;
import dev.tunelab.model.LanguageModel;
import dev.tunelab.model.LlamaConfig;
import dev.tunelab.model.Models;
import dev.tunelab.model.TextTokenizer;

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
 * position, at 256 new tokens.
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
        double withCache;
        double withoutCache;
        double cpuMsPerToken;
        int[] ourIds;
        // Same intra-op thread count as the peer (restored afterwards).
        dev.tunelab.model.DjlSetup.defaultDevice(); // loads the engine (and its native library)
        int previousThreads = ai.djl.pytorch.jni.JniUtils.getNumThreads();
        ai.djl.pytorch.jni.JniUtils.setNumThreads(ctx.threads());
        try (LanguageModel lm = Models.random(config, new NoEosTokenizer(config.vocabSize()), 1)) {
            DecoderLanguageModel d = (DecoderLanguageModel) lm;
            Models.saveWeights(lm.model(), work, dev.tunelab.model.Safetensors.Precision.F32);
            d.generateIds(List.of(prompt), greedy.withMaxNewTokens(8)); // warm-up
            List<Double> times = new ArrayList<>();
            List<Double> cpu = new ArrayList<>();
            ourIds = null;
            for (int r = 0; r < ctx.repetitions(); r++) {
                long c0 = processCpuNanos();
                Generation g = d.generateIds(List.of(prompt), greedy).get(0);
                cpu.add((processCpuNanos() - c0) / 1e6 / newTokens);
                times.add(g.millis());
                ourIds = g.generatedIds();
            }
            withCache = newTokens / (median(times) / 1000.0);
            cpuMsPerToken = median(cpu);
            Generation slow = d.generateIds(List.of(prompt), greedy.withCache(false)).get(0);
            withoutCache = newTokens / (slow.millis() / 1000.0);
            if (!Arrays.equals(ourIds, slow.generatedIds())) {
                throw new IllegalStateException("generation with and without KV cache disagree");
            }
        } finally {
            ai.djl.pytorch.jni.JniUtils.setNumThreads(previousThreads);
        }
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("config", "llama hidden " + config.hiddenSize() + ", layers " + config.numLayers() + ", heads "
                + config.numHeads() + "/" + config.numKvHeads() + ", vocab " + config.vocabSize());
        extra.put("threads", ctx.threads());
        extra.put("prompt_tokens", promptLen);
        extra.put("new_tokens", newTokens);
        extra.put("kv_cache_speedup", withCache / withoutCache);
        extra.put("tokens_per_s_without_cache", withoutCache);
        extra.put("cpu_ms_per_token", cpuMsPerToken);
        extra.put("load_average_at_start", java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                .getSystemLoadAverage());

        Double peer = null;
        String missing = PythonPeer.missing("torch");
        if (missing == null) {
            String script;
            try (InputStream in = getClass().getResourceAsStream("/dev/tunelab/model/reference_models.py")) {
                script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            Path request = work.resolve("request.json");
            Files.writeString(request, "{\"ids\": [" + Arrays.toString(prompt) + "], \"mask\": null, \"new_tokens\": "
                    + newTokens + ", \"repetitions\": " + ctx.repetitions() + "}");
            PythonPeer.Result r = PythonPeer.run(script, List.of("bench", work.toString(), request.toString()),
                    ctx.threads(), work, 1800);
            if (r.exitCode() == 0) {
                String line = r.lastLine();
                peer = Double.parseDouble(line.replaceAll(".*\"tokens_per_s\": ([0-9.eE+-]+).*", "$1"));
                double peerCpu = Double.parseDouble(line.replaceAll(".*\"cpu_ms_per_token\": ([0-9.eE+-]+).*", "$1"));
                extra.put("peer_cpu_ms_per_token", peerCpu);
                extra.put("cpu_time_ratio", peerCpu / cpuMsPerToken);
            } else {
                missing = "reference failed: " + r.stderr().lines().reduce((a, b) -> b).orElse("");
            }
        }
        List<BenchResult> out = new ArrayList<>();
        out.add(new BenchResult("generation", withCache, peer, "tokens/s", true,
                "PyTorch (python3-torch, same weights, KV cache)", missing, extra));
        out.add(new BenchResult("generation-kv-cache", withCache, withoutCache, "tokens/s", true,
                "TuneLab without KV cache", null, Map.of("new_tokens", newTokens)));
        return out;
    }

    /** CPU time of the whole JVM (all threads: the fair counterpart of Python's process_time). */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
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
