package dev.tunelab.bench;

import dev.tunelab.rag.VectorIndex;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Exact top-10 cosine search, batches of 256 queries: our VectorIndex vs FAISS IndexFlatIP (queries/s). */
public final class RetrievalBatchBenchmark implements Benchmark {
    @Override
    public String name() {
        return "retrieval-batch";
    }

    @Override
    public String description() {
        return "exact top-10 over 100k x 384 unit vectors, batches of 256 queries, vs FAISS IndexFlatIP";
    }

    @Override
    public List<BenchResult> run(BenchContext ctx) throws Exception {
        RetrievalBench.Data data = RetrievalBench.data(ctx);
        float[][] all = data.queries();
        int nq = all.length;
        VectorIndex index = data.index();
        List<List<VectorIndex.Hit>> got = batches(index, all);
        double[] qps = new double[ctx.repetitions()];
        for (int r = 0; r < qps.length; r++) {
            long t0 = System.nanoTime();
            batches(index, all);
            qps[r] = nq / ((System.nanoTime() - t0) / 1e9);
        }
        double ours = RetrievalBench.median(qps);
        RetrievalBench.Peer peer = RetrievalBench.peer(ctx, data, "batch", nq);
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("vectors", data.n());
        extra.put("dimension", RetrievalBench.DIM);
        extra.put("queries", nq);
        extra.put("batch", RetrievalBench.BATCH);
        extra.put("threads", ctx.threads());
        extra.put("bytes_per_vector_storage", index.bytesPerVector());
        extra.put("bytes_per_vector_heap_measured", (double) data.heapBytes() / data.n());
        extra.put("faiss_bytes_per_vector", 4 * RetrievalBench.DIM);
        if (peer.exactTop() != null) {
            double recall = RetrievalBench.recall(got, peer.exactTop());
            extra.put("recall_vs_exact", recall);
            extra.put("faiss_recall_vs_exact", RetrievalBench.recallInts(peer.faissTop(), peer.exactTop()));
            if (recall < 1.0) {
                throw new IllegalStateException("retrieval-batch: our top-10 recall vs numpy exact is " + recall + ", not 1.0");
            }
        }
        return List.of(new BenchResult(name(), ours, peer.qps(), "queries/s", true, "faiss IndexFlatIP",
                peer.missing(), extra));
    }

    private static List<List<VectorIndex.Hit>> batches(VectorIndex index, float[][] all) {
        List<List<VectorIndex.Hit>> out = new ArrayList<>();
        for (int s = 0; s < all.length; s += RetrievalBench.BATCH) {
            out.addAll(index.searchBatch(java.util.Arrays.copyOfRange(all, s, Math.min(all.length, s + RetrievalBench.BATCH)),
                    RetrievalBench.TOP_K));
        }
        return out;
    }
}
