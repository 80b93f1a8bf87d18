package dev.tunelab.rag;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class VectorIndexTest {
    static float[][] randomUnit(int n, int d, long seed) {
        Random r = new Random(seed);
        float[][] v = new float[n][d];
        for (float[] row : v) {
            for (int j = 0; j < d; j++) {
                row[j] = (float) r.nextGaussian();
            }
            Embedder.normalize(row, "random");
        }
        return v;
    }

    static VectorIndex build(float[][] x) {
        VectorIndex index = new VectorIndex(x[0].length);
        for (int i = 0; i < x.length; i++) {
            index.add("v" + i, x[i], Map.of("parity", i % 2 == 0 ? "even" : "odd"));
        }
        return index;
    }

    /** numpy's exact top-k (argsort of X @ Q.T), rows whose index mod 2 is in {@code parities}, skipping removed ones. */
    static List<List<String>> numpyTopK(Path dir, float[][] x, float[][] q, int k, String keepExpr) throws Exception {
        Py.writeF32(dir.resolve("x.f32"), x);
        Py.writeF32(dir.resolve("q.f32"), q);
        String out = Py.run(dir, String.join("\n",
                "import numpy as np, sys",
                "n, d, m, k = " + x.length + ", " + x[0].length + ", " + q.length + ", " + k,
                "X = np.fromfile(sys.argv[1], '<f4').reshape(n, d).astype(np.float64)",
                "Q = np.fromfile(sys.argv[2], '<f4').reshape(m, d).astype(np.float64)",
                "rows = np.arange(n)",
                "keep = " + keepExpr,
                "S = Q @ X[keep].T",
                "for i in range(m):",
                "    order = np.argsort(-S[i], kind='stable')[:k]",
                "    print(' '.join('v%d' % rows[keep][j] for j in order))"),
                dir.resolve("x.f32").toString(), dir.resolve("q.f32").toString());
        List<List<String>> res = new ArrayList<>();
        for (String line : out.split("\n")) {
            res.add(List.of(line.strip().split(" ")));
        }
        return res;
    }

    static List<String> ids(List<VectorIndex.Hit> hits) {
        return hits.stream().map(VectorIndex.Hit::id).toList();
    }

    @Test
    void singleAndBatchTopKEqualNumpyBruteForce(@TempDir Path dir) throws Exception {
        float[][] x = randomUnit(5000, 48, 1);
        float[][] q = randomUnit(70, 48, 2);
        VectorIndex index = build(x).threads(2);
        List<List<String>> ref = numpyTopK(dir, x, q, 10, "rows >= 0");
        List<List<VectorIndex.Hit>> batch = index.searchBatch(q, 10);
        for (int i = 0; i < q.length; i++) {
            List<VectorIndex.Hit> single = index.search(q[i], 10);
            assertEquals(ref.get(i), ids(single), "single query " + i);
            assertEquals(ref.get(i), ids(batch.get(i)), "batch query " + i);
            for (VectorIndex.Hit h : single) {
                float[] v = index.vector(h.id());
                double dot = 0;
                for (int j = 0; j < v.length; j++) {
                    dot += (double) v[j] * q[i][j];
                }
                assertEquals(dot, h.score(), 1e-5);
            }
        }
    }

    @Test
    void blasBatchEqualsNumpyAcrossTilesQueryBlocksAndRemovals(@TempDir Path dir) throws Exception {
        float[][] x = randomUnit(5000, 48, 5);
        float[][] q = randomUnit(300, 48, 6);
        try (VectorIndex index = build(x).blasMinWork(0, 1500)) {
            List<List<String>> ref = numpyTopK(dir, x, q, 10, "rows >= 0");
            List<List<VectorIndex.Hit>> batch = index.searchBatch(q, 10);
            for (int i = 0; i < q.length; i++) {
                assertEquals(ref.get(i), ids(batch.get(i)), "blas batch query " + i);
                for (VectorIndex.Hit h : batch.get(i)) {
                    assertEquals(index.dot(h.id(), q[i]), h.score(), 1e-5);
                }
            }
            for (int i = 0; i < x.length; i += 3) {
                index.remove("v" + i);
            }
            List<List<String>> ref2 = numpyTopK(dir, x, q, 10, "rows % 3 != 0");
            List<List<VectorIndex.Hit>> after = index.searchBatch(q, 10);
            for (int i = 0; i < q.length; i++) {
                assertEquals(ref2.get(i), ids(after.get(i)), "blas batch after removals, query " + i);
            }
        }
    }

    @Test
    void filterAndRemoveMatchNumpyOnTheRemainingRows(@TempDir Path dir) throws Exception {
        float[][] x = randomUnit(3001, 33, 3);
        float[][] q = randomUnit(9, 33, 4);
        VectorIndex index = build(x);
        for (int i = 0; i < x.length; i += 3) {
            assertTrue(index.remove("v" + i));
        }
        assertFalse(index.remove("v0"));
        assertEquals(3001 - 1001, index.size());
        List<List<String>> ref = numpyTopK(dir, x, q, 7, "(rows % 3 != 0) & (rows % 2 == 0)");
        List<List<VectorIndex.Hit>> batch = index.searchBatch(q, 7, m -> m.get("parity").equals("even"));
        for (int i = 0; i < q.length; i++) {
            assertEquals(ref.get(i), ids(index.search(q[i], 7, m -> m.get("parity").equals("even"))), "query " + i);
            assertEquals(ref.get(i), ids(batch.get(i)), "batch query " + i);
        }
    }

    @Test
    void rejectsVectorsThatAreNotUnitLength() {
        VectorIndex index = new VectorIndex(3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> index.add("a", new float[] {1, 1, 0}, Map.of()));
        assertTrue(e.getMessage().contains("'a'") && e.getMessage().contains("norm"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> index.add("b", new float[] {1, 0}, Map.of()));
    }

    @Test
    void saveLoadRoundTripAndCorruptionErrors(@TempDir Path dir) throws Exception {
        float[][] x = randomUnit(500, 16, 5);
        VectorIndex index = build(x);
        Path file = dir.resolve("idx.tlv");
        index.save(file);
        VectorIndex back = VectorIndex.load(file);
        assertEquals(500, back.size());
        for (int i = 0; i < 500; i += 50) {
            assertArrayEquals(x[i], back.vector("v" + i));
            assertEquals(index.metadata("v" + i), back.metadata("v" + i));
        }
        assertEquals(ids(index.search(x[7], 5)), ids(back.search(x[7], 5)));
        try (var s = Files.list(dir)) {
            assertEquals(1, s.count(), "no temp file left behind");
        }

        byte[] bytes = Files.readAllBytes(file);
        Path flipped = dir.resolve("flipped.tlv");
        byte[] c = bytes.clone();
        c[bytes.length / 2] ^= 0x10;
        Files.write(flipped, c);
        assertMessage(flipped, "checksum mismatch");

        Path truncated = dir.resolve("truncated.tlv");
        Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length - 100));
        assertMessage(truncated, "truncated");

        Path tiny = dir.resolve("tiny.tlv");
        Files.write(tiny, java.util.Arrays.copyOf(bytes, 10));
        assertMessage(tiny, "truncated");

        Path magic = dir.resolve("magic.tlv");
        c = bytes.clone();
        c[0] = 'X';
        Files.write(magic, c);
        assertMessage(magic, "bad magic");

        Path version = dir.resolve("version.tlv");
        c = bytes.clone();
        c[11] = 9;
        Files.write(version, c);
        assertMessage(version, "unsupported format version 9");
    }

    private static void assertMessage(Path file, String expected) {
        IOException e = assertThrows(IOException.class, () -> VectorIndex.load(file));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
