package dev.tunelab.rag;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Exact cosine search over L2-normalised float32 vectors stored contiguously in one {@code float[]} (row-major,
 * 4·d bytes per vector plus its id and metadata). One query is a dot-product scan split over the threads with a
 * bounded min-heap per slice; a batch of queries is a cache-blocked matrix product (query blocks × row blocks) with
 * the same heaps. Without a filter, a batch of at least {@link #BLAS_MIN_WORK} query × row products goes through
 * {@link BlasScorer} instead (PyTorch's sgemm + topk over a native float32 mirror of the vectors, built on first use
 * and rebuilt after add/remove; {@link #close()} frees it). Not thread-safe for writers; concurrent searches are fine.
 */
public final class VectorIndex implements AutoCloseable {
    /** Rows per task of a single-query scan. */
    private static final int SCAN_SLICE = 8192;
    /** Queries × rows per block of the batch product (a row block stays in L2 while every query block passes). */
    private static final int QUERY_BLOCK = 64;
    private static final int ROW_BLOCK = 64;

    /** One search result. */
    public record Hit(String id, float score, Map<String, String> metadata) {}

    private final int dim;
    private float[] data;
    private int size;
    private final List<String> ids = new ArrayList<>();
    private final List<Map<String, String>> metadata = new ArrayList<>();
    private final Map<String, Integer> rowOf = new HashMap<>();
    private int threads = Parallel.defaultThreads();
    /** Batches smaller than this many query × row products stay in plain Java (no native mirror). */
    static final long BLAS_MIN_WORK = 1L << 22;
    private BlasScorer blas;
    private boolean useBlas = true;
    private long blasMinWork = BLAS_MIN_WORK;
    private int blasTileRows = BlasScorer.TILE_ROWS;

    public VectorIndex(int dimension) {
        if (dimension < 1) {
            throw new IllegalArgumentException("dimension must be >= 1, got " + dimension);
        }
        this.dim = dimension;
        this.data = new float[dimension * 16];
    }

    /** Threads used by searches (default: available processors). */
    public VectorIndex threads(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + n);
        }
        this.threads = n;
        return this;
    }

    /** Switches the BLAS batch path off (plain Java kernels only); on by default. */
    public VectorIndex blas(boolean on) {
        this.useBlas = on;
        return this;
    }

    /** Smallest batch (queries × rows) sent to BLAS; tests lower it to exercise that path on small data. */
    VectorIndex blasMinWork(long work, int tileRows) {
        invalidate();
        this.blasMinWork = work;
        this.blasTileRows = tileRows;
        return this;
    }

    public int dimension() {
        return dim;
    }

    public int size() {
        return size;
    }

    /** Bytes of vector storage per entry (ids and metadata not counted). */
    public int bytesPerVector() {
        return Float.BYTES * dim;
    }

    public boolean contains(String id) {
        return rowOf.containsKey(id);
    }

    /** Adds (or replaces) {@code id}. The vector must have unit length (within 1e-3). */
    public void add(String id, float[] vector, Map<String, String> meta) {
        if (vector.length != dim) {
            throw new IllegalArgumentException("vector for '" + id + "' has dimension " + vector.length + ", index has " + dim);
        }
        double norm = 0;
        for (float v : vector) {
            norm += (double) v * v;
        }
        if (!(Math.abs(Math.sqrt(norm) - 1) < 1e-3)) {
            throw new IllegalArgumentException("vector for '" + id + "' is not L2-normalised (norm " + Math.sqrt(norm) + ")");
        }
        invalidate();
        Integer existing = rowOf.get(id);
        int row = existing != null ? existing : size;
        if (existing == null) {
            ensureCapacity(size + 1);
            ids.add(id);
            metadata.add(meta == null ? Map.of() : Map.copyOf(meta));
            rowOf.put(id, row);
            size++;
        } else {
            metadata.set(row, meta == null ? Map.of() : Map.copyOf(meta));
        }
        System.arraycopy(vector, 0, data, row * dim, dim);
    }

    public void add(Document doc, float[] vector) {
        add(doc.id(), vector, doc.metadata().asMap());
    }

    public void addAll(List<Document> docs, float[][] vectors) {
        if (docs.size() != vectors.length) {
            throw new IllegalArgumentException(docs.size() + " documents but " + vectors.length + " vectors");
        }
        ensureCapacity(size + docs.size());
        for (int i = 0; i < docs.size(); i++) {
            add(docs.get(i), vectors[i]);
        }
    }

    /** Removes {@code id} (the last row moves into its slot); false when absent. */
    public boolean remove(String id) {
        Integer row = rowOf.remove(id);
        if (row == null) {
            return false;
        }
        invalidate();
        int last = size - 1;
        if (row != last) {
            System.arraycopy(data, last * dim, data, row * dim, dim);
            ids.set(row, ids.get(last));
            metadata.set(row, metadata.get(last));
            rowOf.put(ids.get(row), row);
        }
        ids.remove(last);
        metadata.remove(last);
        size--;
        return true;
    }

    /** A copy of the stored vector, or null. */
    public float[] vector(String id) {
        Integer row = rowOf.get(id);
        return row == null ? null : Arrays.copyOfRange(data, row * dim, row * dim + dim);
    }

    /** Dot product of stored {@code id} with {@code query} (its cosine, both being unit length). */
    public double dot(String id, float[] query) {
        Integer row = rowOf.get(id);
        if (row == null) {
            throw new IllegalArgumentException("no vector with id '" + id + "'");
        }
        checkQuery(query);
        return Kernels.dotAt(query, 0, data, row * dim, dim);
    }

    public Map<String, String> metadata(String id) {
        Integer row = rowOf.get(id);
        return row == null ? null : metadata.get(row);
    }

    public List<Hit> search(float[] query, int k) {
        return search(query, k, null);
    }

    /** The k entries most similar to {@code query} among those whose metadata passes {@code filter}, best first. */
    public List<Hit> search(float[] query, int k, Predicate<Map<String, String>> filter) {
        checkQuery(query);
        if (k < 1) {
            throw new IllegalArgumentException("k must be >= 1, got " + k);
        }
        int slices = Math.max(1, (size + SCAN_SLICE - 1) / SCAN_SLICE);
        TopK[] partial = new TopK[slices];
        boolean[] pass = filter == null ? null : mask(filter);
        Parallel.forEach(slices, threads, s -> {
            TopK top = new TopK(k);
            int from = s * SCAN_SLICE;
            int to = Math.min(size, from + SCAN_SLICE);
            Kernels.scan(query, data, dim, from, to, pass, top);
            partial[s] = top;
        });
        TopK all = new TopK(k);
        for (TopK t : partial) {
            all.merge(t);
        }
        return hits(all);
    }

    /** Top-k for every query of a batch, as one blocked matrix product. */
    public List<List<Hit>> searchBatch(float[][] queries, int k) {
        return searchBatch(queries, k, null);
    }

    public List<List<Hit>> searchBatch(float[][] queries, int k, Predicate<Map<String, String>> filter) {
        if (k < 1) {
            throw new IllegalArgumentException("k must be >= 1, got " + k);
        }
        int m = queries.length;
        float[] q = new float[m * dim];
        for (int i = 0; i < m; i++) {
            checkQuery(queries[i]);
            System.arraycopy(queries[i], 0, q, i * dim, dim);
        }
        if (filter == null && useBlas && size > 0 && (long) m * size >= blasMinWork) {
            return blasBatch(q, m, k);
        }
        boolean[] pass = filter == null ? null : mask(filter);
        int qBlocks = (m + QUERY_BLOCK - 1) / QUERY_BLOCK;
        // Split rows across threads when there are fewer query blocks than threads.
        int rowParts = Math.max(1, Math.min(threads, (size + ROW_BLOCK - 1) / ROW_BLOCK) / Math.max(1, Math.min(qBlocks, threads)));
        TopK[][] tops = new TopK[rowParts][m];
        int rowsPerPart = (((size + rowParts - 1) / rowParts) + ROW_BLOCK - 1) / ROW_BLOCK * ROW_BLOCK;
        Parallel.forEach(qBlocks * rowParts, threads, task -> {
            int qb = task / rowParts;
            int part = task % rowParts;
            int q0 = qb * QUERY_BLOCK;
            int q1 = Math.min(m, q0 + QUERY_BLOCK);
            for (int i = q0; i < q1; i++) {
                tops[part][i] = new TopK(k);
            }
            int r0 = part * rowsPerPart;
            int r1 = Math.min(size, r0 + rowsPerPart);
            float[] scores = new float[QUERY_BLOCK * ROW_BLOCK];
            for (int rb = r0; rb < r1; rb += ROW_BLOCK) {
                int rEnd = Math.min(r1, rb + ROW_BLOCK);
                Kernels.block(q, q0, q1, data, rb, rEnd, dim, scores, ROW_BLOCK);
                int w = rEnd - rb;
                for (int i = q0; i < q1; i++) {
                    TopK top = tops[part][i];
                    int base = (i - q0) * ROW_BLOCK;
                    for (int j = 0; j < w; j++) {
                        float s = scores[base + j];
                        if (s >= top.threshold() && (pass == null || pass[rb + j])) {
                            top.offer(s, rb + j);
                        }
                    }
                }
            }
        });
        List<List<Hit>> out = new ArrayList<>(m);
        for (int i = 0; i < m; i++) {
            TopK all = tops[0][i];
            for (int p = 1; p < rowParts; p++) {
                all.merge(tops[p][i]);
            }
            out.add(hits(all));
        }
        return out;
    }

    private List<List<Hit>> blasBatch(float[] q, int m, int k) {
        BlasScorer scorer = scorer();
        TopK[] tops = new TopK[m];
        for (int i = 0; i < m; i++) {
            tops[i] = new TopK(k);
        }
        for (int q0 = 0; q0 < m; q0 += BlasScorer.QUERY_BLOCK) {
            scorer.score(q, q0, Math.min(m, q0 + BlasScorer.QUERY_BLOCK), k, tops);
        }
        List<List<Hit>> out = new ArrayList<>(m);
        for (TopK top : tops) {
            out.add(hits(top));
        }
        return out;
    }

    private synchronized BlasScorer scorer() {
        if (blas == null) {
            blas = new BlasScorer(data, size, dim, blasTileRows);
        }
        return blas;
    }

    private synchronized void invalidate() {
        if (blas != null) {
            blas.close();
            blas = null;
        }
    }

    /** Frees the native mirror used by batch search (the index stays usable; a later batch rebuilds it). */
    @Override
    public void close() {
        invalidate();
    }

    public void save(Path file) throws IOException {
        VectorIndexFile.write(file, dim, size, data, ids, metadata);
    }

    public static VectorIndex load(Path file) throws IOException {
        return VectorIndexFile.read(file);
    }

    /** Used by the file reader: appends without re-checking norms (the checksum already vouched for them). */
    void addTrusted(String id, float[] src, int offset, Map<String, String> meta) {
        if (rowOf.containsKey(id)) {
            throw new IllegalArgumentException("duplicate id '" + id + "'");
        }
        invalidate();
        ensureCapacity(size + 1);
        System.arraycopy(src, offset, data, size * dim, dim);
        ids.add(id);
        metadata.add(meta);
        rowOf.put(id, size);
        size++;
    }

    private boolean[] mask(Predicate<Map<String, String>> filter) {
        boolean[] pass = new boolean[size];
        for (int i = 0; i < size; i++) {
            pass[i] = filter.test(metadata.get(i));
        }
        return pass;
    }

    private List<Hit> hits(TopK top) {
        int[] rows = new int[top.size()];
        float[] scores = new float[top.size()];
        int n = top.drainSorted(rows, scores);
        List<Hit> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(new Hit(ids.get(rows[i]), scores[i], metadata.get(rows[i])));
        }
        return out;
    }

    private void checkQuery(float[] query) {
        if (query.length != dim) {
            throw new IllegalArgumentException("query has dimension " + query.length + ", index has " + dim);
        }
    }

    private void ensureCapacity(int rows) {
        long need = (long) rows * dim;
        if (need > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("index full: " + rows + " × " + dim + " floats exceed one Java array");
        }
        if (need > data.length) {
            long grown = Math.max(need, Math.min(Integer.MAX_VALUE - 8L, data.length * 3L / 2));
            data = Arrays.copyOf(data, (int) grown);
        }
    }
}
