package dev.tunelab.rag;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tunelab.model.DjlSetup;

import java.nio.FloatBuffer;

/**
 * Batch scoring for {@link VectorIndex} through DJL's PyTorch engine: the index's vectors are mirrored as float32
 * tiles {@code [rows, d]} in a native manager owned here, and a block of queries is scored as one BLAS matrix
 * product {@code Q · Tᵀ} per tile followed by PyTorch's {@code topk} per query row. The tile candidates are merged in
 * Java by {@link TopK} (ties keep the smaller row). Tiling over rows bounds the score buffer to
 * {@code QUERY_BLOCK × TILE_ROWS} floats.
 */
final class BlasScorer implements AutoCloseable {
    static final int QUERY_BLOCK = 256;
    static final int TILE_ROWS = 16384;

    private final NDManager manager;
    private final NDArray[] tilesT;
    private final int[] tileStart;
    private final int dim;

    /** Copies rows [0, size) of {@code data} into native tiles of {@code tileRows} rows. */
    BlasScorer(float[] data, int size, int dim, int tileRows) {
        DjlSetup.ensure();
        this.dim = dim;
        this.manager = NDManager.newBaseManager("PyTorch");
        int tiles = (size + tileRows - 1) / tileRows;
        this.tilesT = new NDArray[tiles];
        this.tileStart = new int[tiles];
        try {
            for (int t = 0; t < tiles; t++) {
                int r0 = t * tileRows;
                int rows = Math.min(tileRows, size - r0);
                FloatBuffer slice = FloatBuffer.wrap(data, r0 * dim, rows * dim).slice();
                tilesT[t] = manager.create(slice, new Shape(rows, dim)).transpose();
                tileStart[t] = r0;
            }
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** Offers the top-k rows of every tile for queries [q0, q1) of {@code q} (row-major, d per query) to {@code tops}. */
    void score(float[] q, int q0, int q1, int k, TopK[] tops) {
        int m = q1 - q0;
        try (NDManager scope = manager.newSubManager()) {
            NDArray queries = scope.create(FloatBuffer.wrap(q, q0 * dim, m * dim).slice(), new Shape(m, dim));
            for (int t = 0; t < tilesT.length; t++) {
                long rows = tilesT[t].getShape().get(1);
                int kk = (int) Math.min(k, rows);
                NDArray scores = queries.matMul(tilesT[t]);
                NDList best = scores.topK(kk, 1, true, false);
                float[] values = best.get(0).toFloatArray();
                long[] index = best.get(1).toType(ai.djl.ndarray.types.DataType.INT64, false).toLongArray();
                int base = tileStart[t];
                for (int i = 0; i < m; i++) {
                    TopK top = tops[q0 + i];
                    for (int j = 0; j < kk; j++) {
                        top.offer(values[i * kk + j], base + (int) index[i * kk + j]);
                    }
                }
                scores.close();
                best.close();
            }
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
