package dev.tunelab.bench;

import dev.tunelab.rag.VectorIndex;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Exact top-10 cosine search, one query at a time: our VectorIndex vs FAISS IndexFlatIP (queries/s). */
public final class RetrievalSingleBenchmark implements Benchmark {
    @Override
    public String name() {
        return "retrieval-single";
    }

    @Override
    public String description() {
        return "exact top-10 over 100k x 384 unit vectors, one query at a time, vs FAISS IndexFlatIP";
    }

    @Override
    public List<BenchResult> run(BenchContext ctx) throws Exception {
        RetrievalBench.Data data = RetrievalBench.data(ctx);
        int nq = ctx.quick() ? 64 : 128;
        VectorIndex index = data.index();
        for (int i = 0; i < nq; i++) {
            index.search(data.queries()[i], RetrievalBench.TOP_K);
        }
        double[] qps = new double[ctx.repetitions()];
        for (int r = 0; r < qps.length; r++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < nq; i++) {
                index.search(data.queries()[i], RetrievalBench.TOP_K);
            }
            qps[r] = nq / ((System.nanoTime() - t0) / 1e9);
        }
        double ours = RetrievalBench.median(qps);
        RetrievalBench.Peer peer = RetrievalBench.peer(ctx, data, "single", nq);
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("vectors", data.n());
        extra.put("dimension", RetrievalBench.DIM);
        extra.put("queries", nq);
        extra.put("threads", ctx.threads());
        extra.put("bytes_per_vector_storage", index.bytesPerVector());
        extra.put("bytes_per_vector_heap_measured", (double) data.heapBytes() / data.n());
        extra.put("faiss_bytes_per_vector", 4 * RetrievalBench.DIM);
        if (peer.exactTop() != null) {
            List<List<VectorIndex.Hit>> got = new ArrayList<>();
            for (int i = 0; i < data.queries().length; i++) {
                got.add(index.search(data.queries()[i], RetrievalBench.TOP_K));
            }
            double recall = RetrievalBench.recall(got, peer.exactTop());
            extra.put("recall_vs_exact", recall);
            extra.put("faiss_recall_vs_exact", RetrievalBench.recallInts(peer.faissTop(), peer.exactTop()));
            if (recall < 1.0) {
                throw new IllegalStateException("retrieval-single: our top-10 recall vs numpy exact is " + recall + ", not 1.0");
            }
        }
        return List.of(new BenchResult(name(), ours, peer.qps(), "queries/s", true, "faiss IndexFlatIP",
                peer.missing(), extra));
    }
}
