package dev.tunelab.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tunelab.bench.BenchContext;
import dev.tunelab.bench.BenchResult;
import dev.tunelab.bench.Benchmark;
import dev.tunelab.bench.Benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** `tunelab bench`: our code against a peer measured in the same run. */
final class BenchCommand implements Command {
    @Override
    public String name() {
        return "bench";
    }

    @Override
    public String summary() {
        return "Benchmark our code against PyTorch/FAISS measured in the same run (prints ratios)";
    }

    @Override
    public Args args() {
        return new Args(name())
                .option("only", "names", "comma-separated benchmark names (default: all)")
                .option("threads", "n", "threads for both sides", "2")
                .option("repetitions", "n", "timed repetitions; the median is reported", "5")
                .option("out", "file", "where the JSON figures go", "bench-results.json")
                .flag("quick", "smaller sizes (a smoke run)")
                .flag("list", "list the benchmarks and exit");
    }

    @Override
    public int run(Args args) throws Exception {
        List<Benchmark> all = Benchmarks.all();
        if (args.flagSet("list")) {
            for (Benchmark b : all) {
                System.out.printf("%-20s %s%n", b.name(), b.description());
            }
            return 0;
        }
        List<String> only = args.list("only");
        for (String name : only) {
            if (all.stream().noneMatch(b -> b.name().equals(name))) {
                throw new UsageException("bench: unknown benchmark '" + name + "' (see tunelab bench --list)");
            }
        }
        int threads = args.intValue("threads", 1, 256);
        int reps = args.intValue("repetitions", 1, 1000);
        Path work = Files.createTempDirectory("tunelab-bench");
        BenchContext ctx = new BenchContext(threads, reps, args.flagSet("quick"), work);
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Benchmark b : all) {
            if (!only.isEmpty() && !only.contains(b.name())) {
                continue;
            }
            for (BenchResult r : b.run(ctx)) {
                System.out.println(r.line());
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("name", r.name());
                row.put("ours", r.ours());
                row.put("peer", r.peer());
                row.put("peer_name", r.peerName());
                row.put("unit", r.unit());
                row.put("higher_is_better", r.higherIsBetter());
                row.put("ratio", r.ratio());
                row.put("peer_missing", r.peerMissing());
                row.put("extra", r.extra());
                rows.add(row);
            }
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("threads", threads);
        doc.put("repetitions", reps);
        doc.put("java", System.getProperty("java.version"));
        doc.put("os_arch", System.getProperty("os.arch"));
        doc.put("results", rows);
        Path out = args.path("out");
        Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(tmp.toFile(), doc);
        Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        System.out.println("wrote " + out);
        return 0;
    }
}
