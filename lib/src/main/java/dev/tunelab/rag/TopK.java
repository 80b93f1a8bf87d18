package dev.tunelab.rag;

/**
 * The k largest scores seen so far: a bounded min-heap on primitive arrays (root = the smallest kept score), so a
 * candidate below the current k-th best costs one comparison. Ties keep the smaller row index.
 */
final class TopK {
    private final int k;
    private final float[] scores;
    private final int[] rows;
    private int size;

    TopK(int k) {
        if (k < 1) {
            throw new IllegalArgumentException("k must be >= 1, got " + k);
        }
        this.k = k;
        this.scores = new float[k];
        this.rows = new int[k];
    }

    /** The score a candidate must beat to enter (−∞ until k candidates were seen). */
    float threshold() {
        return size < k ? Float.NEGATIVE_INFINITY : scores[0];
    }

    void offer(float score, int row) {
        if (size < k) {
            int i = size++;
            scores[i] = score;
            rows[i] = row;
            siftUp(i);
        } else if (worse(scores[0], rows[0], score, row)) {
            scores[0] = score;
            rows[0] = row;
            siftDown(0);
        }
    }

    void merge(TopK other) {
        for (int i = 0; i < other.size; i++) {
            offer(other.scores[i], other.rows[i]);
        }
    }

    int size() {
        return size;
    }

    /** Rows best first, written into {@code outRows}/{@code outScores}; returns the count. */
    int drainSorted(int[] outRows, float[] outScores) {
        int n = size;
        for (int i = n - 1; i >= 0; i--) {
            outRows[i] = rows[0];
            outScores[i] = scores[0];
            size--;
            scores[0] = scores[size];
            rows[0] = rows[size];
            siftDown(0);
        }
        return n;
    }

    /** True when (s1, r1) ranks below (s2, r2): lower score, or equal score and larger row. */
    private static boolean worse(float s1, int r1, float s2, int r2) {
        return s1 < s2 || (s1 == s2 && r1 > r2);
    }

    private void siftUp(int i) {
        while (i > 0) {
            int p = (i - 1) >>> 1;
            if (!worse(scores[i], rows[i], scores[p], rows[p])) {
                break;
            }
            swap(i, p);
            i = p;
        }
    }

    private void siftDown(int i) {
        while (true) {
            int l = 2 * i + 1;
            if (l >= size) {
                return;
            }
            int m = l;
            int r = l + 1;
            if (r < size && worse(scores[r], rows[r], scores[l], rows[l])) {
                m = r;
            }
            if (!worse(scores[m], rows[m], scores[i], rows[i])) {
                return;
            }
            swap(i, m);
            i = m;
        }
    }

    private void swap(int a, int b) {
        float s = scores[a];
        scores[a] = scores[b];
        scores[b] = s;
        int r = rows[a];
        rows[a] = rows[b];
        rows[b] = r;
    }
}
