package dev.tunelab.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tunelab.rag.VectorIndex;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Shared setup of retrieval-single and retrieval-batch: random unit vectors (written as little-endian float32 so
 * FAISS reads the very same numbers), our {@link VectorIndex}, and a FAISS IndexFlatIP peer run by /usr/bin/python3
 * with the same thread count. The peer also computes numpy's exact top-k, which both indexes are checked against.
 */
final class RetrievalBench {
    static final int DIM = 384;
    static final int TOP_K = 10;
    static final int BATCH = 256;

    private RetrievalBench() {}

    record Data(int n, float[][] queries, VectorIndex index, Path vectors, Path queryFile, long heapBytes) {}

    private static Data cached;

    static synchronized Data data(BenchContext ctx) throws IOException {
        int n = ctx.quick() ? 10_000 : 100_000;
        int nq = ctx.quick() ? BATCH : 2 * BATCH;
        if (cached != null && cached.n == n && Files.exists(cached.vectors)) {
            cached.index.threads(ctx.threads());
            return cached;
        }
        cached = null;
        Random rnd = new Random(20261123L);
        Files.createDirectories(ctx.workDir());
        Path vec = ctx.workDir().resolve("vectors-" + n + ".f32");
        Path qf = ctx.workDir().resolve("queries-" + n + ".f32");
        System.gc();
        long before = usedHeap();
        VectorIndex index = new VectorIndex(DIM).threads(ctx.threads());
        try (OutputStream out = Files.newOutputStream(vec)) {
            ByteBuffer buf = ByteBuffer.allocate(DIM * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < n; i++) {
                float[] v = unit(rnd);
                index.add(Integer.toString(i), v, Map.of());
                buf.clear();
                buf.asFloatBuffer().put(v);
                out.write(buf.array());
            }
        }
        System.gc();
        long heap = usedHeap() - before;
        float[][] queries = new float[nq][];
        try (OutputStream out = Files.newOutputStream(qf)) {
            ByteBuffer buf = ByteBuffer.allocate(DIM * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < nq; i++) {
                queries[i] = unit(rnd);
                buf.clear();
                buf.asFloatBuffer().put(queries[i]);
                out.write(buf.array());
            }
        }
        cached = new Data(n, queries, index, vec, qf, heap);
        return cached;
    }

    private static long usedHeap() {
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }

    private static float[] unit(Random rnd) {
        float[] v = new float[DIM];
        double s = 0;
        for (int j = 0; j < DIM; j++) {
            v[j] = (float) rnd.nextGaussian();
            s += (double) v[j] * v[j];
        }
        float inv = (float) (1 / Math.sqrt(s));
        for (int j = 0; j < DIM; j++) {
            v[j] *= inv;
        }
        return v;
    }

    /** FAISS figures for one mode ("single" or "batch"), plus numpy's exact top-k for every query. */
    record Peer(Double qps, String missing, List<List<Integer>> faissTop, List<List<Integer>> exactTop) {}

    static Peer peer(BenchContext ctx, Data data, String mode, int singleQueries) throws IOException {
        String missing = PythonPeer.missing("faiss");
        if (missing != null) {
            return new Peer(null, missing, null, null);
        }
        String script = String.join("\n",
                "import sys, json, time, numpy as np, faiss",
                "vec, qf, n, nq, d, k, mode, reps, threads, nsingle, batch = sys.argv[1], sys.argv[2], *map(int, sys.argv[3:6]), int(sys.argv[6]), sys.argv[7], *map(int, sys.argv[8:12])",
                "faiss.omp_set_num_threads(threads)",
                "X = np.fromfile(vec, '<f4').reshape(n, d)",
                "Q = np.fromfile(qf, '<f4').reshape(nq, d)",
                "index = faiss.IndexFlatIP(d)",
                "index.add(X)",
                "times = []",
                "for r in range(reps + 1):",
                "    t = time.perf_counter()",
                "    if mode == 'single':",
                "        for i in range(nsingle): index.search(Q[i:i+1], k)",
                "        count = nsingle",
                "    else:",
                "        for s in range(0, nq, batch): index.search(Q[s:s+batch], k)",
                "        count = nq",
                "    if r > 0: times.append(time.perf_counter() - t)",
                "qps = count / float(np.median(times))",
                "_, I = index.search(Q, k)",
                "exact = []",
                "for s in range(0, nq, 64):",
                "    S = Q[s:s+64].astype(np.float64) @ X.T.astype(np.float64)",
                "    exact += np.argsort(-S, axis=1, kind='stable')[:, :k].tolist()",
                "print(json.dumps({'qps': qps, 'faiss': I.tolist(), 'exact': exact}))");
        PythonPeer.Result r = PythonPeer.run(script, List.of(data.vectors().toString(), data.queryFile().toString(),
                Integer.toString(data.n()), Integer.toString(data.queries().length), Integer.toString(DIM),
                Integer.toString(TOP_K), mode, Integer.toString(ctx.repetitions()), Integer.toString(ctx.threads()),
                Integer.toString(singleQueries), Integer.toString(BATCH)), ctx.threads(), ctx.workDir(), 1800);
        if (r.exitCode() != 0) {
            return new Peer(null, "faiss peer failed: " + r.stderr().lines().reduce((a, b) -> b).orElse(""), null, null);
        }
        JsonNode j = new ObjectMapper().readTree(r.lastLine());
        return new Peer(j.get("qps").asDouble(), null, ints(j.get("faiss")), ints(j.get("exact")));
    }

    private static List<List<Integer>> ints(JsonNode rows) {
        List<List<Integer>> out = new ArrayList<>();
        for (JsonNode row : rows) {
            List<Integer> r = new ArrayList<>();
            row.forEach(x -> r.add(x.asInt()));
            out.add(r);
        }
        return out;
    }

    /** Mean fraction of the exact top-k found (1.0 = exact search). */
    static double recall(List<List<VectorIndex.Hit>> ours, List<List<Integer>> exact) {
        double sum = 0;
        for (int q = 0; q < ours.size(); q++) {
            Set<Integer> truth = new HashSet<>(exact.get(q));
            long found = ours.get(q).stream().filter(h -> truth.contains(Integer.parseInt(h.id()))).count();
            sum += (double) found / truth.size();
        }
        return sum / ours.size();
    }

    static double recallInts(List<List<Integer>> got, List<List<Integer>> exact) {
        double sum = 0;
        for (int q = 0; q < got.size(); q++) {
            Set<Integer> truth = new HashSet<>(exact.get(q));
            sum += (double) got.get(q).stream().filter(truth::contains).count() / truth.size();
        }
        return sum / got.size();
    }

    static double median(double[] xs) {
        double[] s = xs.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
