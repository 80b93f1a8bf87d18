package dev.tunelab.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tunelab.model.ByteTokenizer;
import dev.tunelab.model.LanguageModel;
import dev.tunelab.model.LlamaConfig;
import dev.tunelab.model.Models;
import dev.tunelab.tune.LoraConfig;
import dev.tunelab.tune.LrSchedule;
import dev.tunelab.tune.MemoryProbe;
import dev.tunelab.tune.QuantConfig;
import dev.tunelab.tune.Trainer;
import dev.tunelab.tune.TrainingExample;
import dev.tunelab.tune.TrainingListener;
import dev.tunelab.tune.TunedModel;

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
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Training steps of a small Llama: full fine-tuning, LoRA and QLoRA in our code (the real Trainer: forward, backward,
 * clipping, AdamW) against full and LoRA steps of the same architecture in PyTorch, same threads, same shapes.
 * Tokens/s is batch x sequence over the median step time; memory is the peak growth of the resident set during the
 * steps (sampled every 2 ms on both sides). Each figure is the median of three rounds that alternate ours and the peer.
 */
public final class TrainingBenchmark implements Benchmark {
    @Override
    public String name() {
        return "training";
    }

    @Override
    public String description() {
        return "tokens/s and peak memory of full / LoRA / QLoRA training steps of a small Llama vs PyTorch";
    }

    record Shape(int vocab, int hidden, int intermediate, int layers, int heads, int batch, int seq) {}

    @Override
    public List<BenchResult> run(BenchContext ctx) throws Exception {
        Shape s = ctx.quick() ? new Shape(512, 128, 344, 2, 4, 4, 64) : new Shape(2048, 256, 688, 4, 4, 8, 128);
        int warmup = ctx.quick() ? 1 : 2;
        int reps = Math.max(3, ctx.repetitions());
        int rounds = ctx.quick() ? 1 : 3;
        String missing = PythonPeer.missing("torch");
        String script = missing == null ? resource("training_peer.py") : null;
        Map<String, List<double[]>> ours = new LinkedHashMap<>();
        Map<String, List<double[]>> peer = new LinkedHashMap<>();
        // Rounds alternate ours and the peer mode by mode, so a change in machine load hits both sides alike.
        for (int round = 0; round < rounds; round++) {
            for (String mode : List.of("full", "lora", "qlora")) {
                ours.computeIfAbsent(mode, k -> new ArrayList<>()).add(measureInChild(mode, s, warmup, reps, ctx));
                if (missing == null && !mode.equals("qlora")) {
                    PythonPeer.Result r = PythonPeer.run(script, List.of(peerConfig(s, mode, warmup, reps, ctx)),
                            ctx.threads(), ctx.workDir(), 900);
                    if (r.exitCode() != 0) {
                        missing = "peer failed: " + r.stderr().lines().reduce((a, b) -> b).orElse("?");
                        peer.clear();
                        continue;
                    }
                    JsonNode j = new ObjectMapper().readTree(r.lastLine());
                    peer.computeIfAbsent(mode, k -> new ArrayList<>())
                            .add(new double[]{j.get(mode + "_tps").asDouble(), j.get(mode + "_mem").asDouble()});
                }
            }
        }
        List<BenchResult> out = new ArrayList<>();
        String shape = s.layers + " layers, hidden " + s.hidden + ", batch " + s.batch + " x seq " + s.seq;
        for (String mode : List.of("full", "lora", "qlora")) {
            double[] o = medians(ours.get(mode));
            String peerMode = mode.equals("qlora") ? "lora" : mode;
            double[] p = missing == null ? medians(peer.get(peerMode)) : null;
            Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("shape", shape);
            extra.put("rounds", rounds);
            extra.put("ours_tokens_per_s_by_round", ours.get(mode).stream().map(v -> v[0]).toList());
            extra.put("peer_tokens_per_s_by_round", p == null ? null : peer.get(peerMode).stream().map(v -> v[0]).toList());
            extra.put("ours_peak_rss_growth_bytes", o[1]);
            extra.put("peer_peak_rss_growth_bytes", p == null ? null : p[1]);
            extra.put("ours_frozen_weight_bytes", o[2]);
            String peerName = "PyTorch " + peerMode + (mode.equals("qlora") ? " (fp32 base; no bitsandbytes on CPU)" : "");
            out.add(new BenchResult("training-" + mode + "-tokens", o[0], p == null ? null : p[0], "tok/s", true,
                    peerName, missing, extra));
            out.add(new BenchResult("training-" + mode + "-memory", o[1] / 1e6, p == null ? null : p[1] / 1e6,
                    "MB peak RSS growth", false, peerName, missing, extra));
        }
        return out;
    }

    private static String peerConfig(Shape s, String mode, int warmup, int reps, BenchContext ctx) throws IOException {
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("vocab", s.vocab);
        cfg.put("hidden", s.hidden);
        cfg.put("intermediate", s.intermediate);
        cfg.put("layers", s.layers);
        cfg.put("heads", s.heads);
        cfg.put("batch", s.batch);
        cfg.put("seq", s.seq);
        cfg.put("threads", ctx.threads());
        cfg.put("warmup", warmup);
        cfg.put("reps", reps);
        cfg.put("r", 8);
        cfg.put("alpha", 16);
        cfg.put("targets", List.of("q", "v"));
        cfg.put("modes", List.of(mode));
        return new ObjectMapper().writeValueAsString(cfg);
    }

    /** Element-wise median of equally long rows. */
    static double[] medians(List<double[]> rows) {
        double[] out = new double[rows.get(0).length];
        for (int c = 0; c < out.length; c++) {
            final int col = c;
            double[] v = rows.stream().mapToDouble(r -> r[col]).sorted().toArray();
            out[c] = v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
        }
        return out;
    }

    /**
     * Runs one mode in a fresh JVM (as the peer runs each mode in a fresh python), so each peak-memory figure is that
     * mode's own and the engine's start-up is outside the measurement.
     */
    static double[] measureInChild(String mode, Shape s, int warmup, int reps, BenchContext ctx) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx4g", "-Dai.djl.offline=true",
                "-Dai.djl.default_engine=PyTorch", "-cp", System.getProperty("java.class.path"),
                TrainingBenchmark.class.getName(), mode, String.valueOf(warmup), String.valueOf(reps),
                String.valueOf(s.vocab), String.valueOf(s.hidden), String.valueOf(s.intermediate),
                String.valueOf(s.layers), String.valueOf(s.heads), String.valueOf(s.batch), String.valueOf(s.seq)));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        String t = Integer.toString(ctx.threads());
        pb.environment().put("OMP_NUM_THREADS", t);
        pb.environment().put("MKL_NUM_THREADS", t);
        Path out = Files.createTempFile(ctx.workDir(), "ours", ".out");
        pb.redirectOutput(out.toFile());
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        if (!p.waitFor(900, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("training benchmark child (" + mode + ") timed out");
        }
        String text = Files.readString(out).strip();
        Files.deleteIfExists(out);
        if (p.exitValue() != 0 || text.isEmpty()) {
            throw new IOException("training benchmark child (" + mode + ") failed with exit code " + p.exitValue());
        }
        String[] f = text.lines().reduce((a, b) -> b).orElseThrow().split(" ");
        return new double[]{Double.parseDouble(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2])};
    }

    /** Child entry point: prints "tokens/s peakRssGrowthBytes frozenWeightBytes" for one mode. */
    public static void main(String[] a) throws Exception {
        dev.tunelab.model.DjlSetup.ensure();
        try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager()) {
            m.ones(new ai.djl.ndarray.types.Shape(64, 64)).matMul(m.ones(new ai.djl.ndarray.types.Shape(64, 64)));
        }
        String mode = a[0];
        Shape s = new Shape(Integer.parseInt(a[3]), Integer.parseInt(a[4]), Integer.parseInt(a[5]),
                Integer.parseInt(a[6]), Integer.parseInt(a[7]), Integer.parseInt(a[8]), Integer.parseInt(a[9]));
        LoraConfig lora = new LoraConfig(8, 16, 0.0, List.of("q_proj", "v_proj"), null, false, 1);
        Function<LanguageModel, TunedModel> method = switch (mode) {
            case "full" -> lm -> TunedModel.full(lm.model());
            case "lora" -> lm -> TunedModel.lora(lm.model(), lora);
            case "qlora" -> lm -> TunedModel.qlora(lm.model(), lora, QuantConfig.nf4());
            default -> throw new IllegalArgumentException("unknown mode " + mode);
        };
        double[] r = measure(s, Integer.parseInt(a[1]), Integer.parseInt(a[2]), method);
        System.out.println(String.format(java.util.Locale.ROOT, "%.3f %.0f %.0f", r[0], r[1], r[2]));
        System.exit(0);
    }

    /** [tokens/s, peak RSS growth bytes, frozen weight bytes] of our Trainer on random token batches. */
    static double[] measure(Shape s, int warmup, int reps, Function<LanguageModel, TunedModel> method) throws IOException {
        System.gc();
        long base = MemoryProbe.residentBytes();
        LlamaConfig cfg = LlamaConfig.tiny(s.vocab, s.hidden, s.intermediate, s.layers, s.heads, s.heads, s.seq * 2);
        try (LanguageModel lm = Models.random(cfg, new ByteTokenizer(), 1); TunedModel tuned = method.apply(lm)) {
            Random r = new Random(1);
            List<TrainingExample> data = new ArrayList<>();
            for (int i = 0; i < s.batch; i++) {
                int[] ids = new int[s.seq];
                for (int j = 0; j < ids.length; j++) {
                    ids[j] = r.nextInt(s.vocab);
                }
                boolean[] mask = new boolean[s.seq];
                Arrays.fill(mask, true);
                data.add(TrainingExample.ofTokens(ids, mask));
            }
            long[] stamps = new long[warmup + reps + 1];
            int[] n = {0};
            stamps[0] = System.nanoTime();
            TrainingListener timer = new TrainingListener() {
                @Override
                public void onStep(Progress p) {
                    stamps[++n[0]] = System.nanoTime();
                }
            };
            try (RssSampler sampler = new RssSampler()) {
                Trainer.builder().setModel(tuned).setTrainData(data).optBatchSize(s.batch).optMaxSteps(warmup + reps)
                        .optLearningRate(1e-4).optScheduler(LrSchedule.Kind.CONSTANT, 0).optMaxLength(s.seq)
                        .optShuffle(false).addListener(timer).build().train();
                double[] times = new double[reps];
                for (int i = 0; i < reps; i++) {
                    times[i] = (stamps[warmup + i + 1] - stamps[warmup + i]) / 1e9;
                }
                Arrays.sort(times);
                double median = reps % 2 == 1 ? times[reps / 2] : (times[reps / 2 - 1] + times[reps / 2]) / 2;
                return new double[]{s.batch * (double) s.seq / median, sampler.peak() - base, tuned.frozenWeightBytes()};
            }
        }
    }

    /** Polls VmRSS every 2 ms on a daemon thread. */
    static final class RssSampler implements AutoCloseable {
        private volatile boolean stop;
        private volatile long peak = MemoryProbe.residentBytes();
        private final Thread thread = new Thread(() -> {
            while (!stop) {
                peak = Math.max(peak, MemoryProbe.residentBytes());
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "rss-sampler");

        RssSampler() {
            thread.setDaemon(true);
            thread.start();
        }

        long peak() {
            return peak;
        }

        @Override
        public void close() {
            stop = true;
            try {
                thread.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = TrainingBenchmark.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("missing resource dev/tunelab/bench/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
