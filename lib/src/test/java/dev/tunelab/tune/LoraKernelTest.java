package dev.tunelab.tune;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.tunelab.model.DenseKernel;
import dev.tunelab.model.DjlSetup;
import dev.tunelab.model.LinearKernel;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Random;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LoraKernelTest {
    @BeforeAll
    static void setup() {
        DjlSetup.ensure();
    }

    static double[] randn(int n, long seed, double std) {
        Random r = new Random(seed);
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            d[i] = r.nextGaussian() * std;
        }
        return d;
    }

    @Test
    void zeroInitialisedBLeavesTheBaseOutputAndAFollowsKaimingUniform() {
        try (NDManager m = NDManager.newBaseManager()) {
            int in = 256;
            NDArray w = m.create(randn(32 * in, 1, 0.1), new Shape(32, in)).toType(DataType.FLOAT32, false);
            DenseKernel base = new DenseKernel(w, null);
            try (LoraKernel k = new LoraKernel("q_proj", base, in, 32, m, DataType.FLOAT32)) {
                k.updateLayer("default", 8, 16, 0.0, false, 1);
                NDArray x = m.create(randn(4 * in, 2, 1), new Shape(4, in)).toType(DataType.FLOAT32, false);
                assertArrayEquals(base.forward(x).toFloatArray(), k.forward(x).toFloatArray());
                float[] a = k.adapter("default").loraA().toFloatArray();
                double bound = 1 / Math.sqrt(in);
                double sq = 0;
                for (float v : a) {
                    assertTrue(Math.abs(v) <= bound);
                    sq += v * (double) v;
                }
                // U(-b, b) has standard deviation b / sqrt(3).
                assertEquals(bound / Math.sqrt(3), Math.sqrt(sq / a.length), 0.05 * bound);
                assertEquals(0f, k.adapter("default").loraB().abs().max().getFloat());
                assertEquals(2.0, k.adapter("default").scaling());
                k.updateLayer("rs", 16, 16, 0.0, true, 1);
                assertEquals(4.0, k.adapter("rs").scaling());
            }
        }
    }

    /** Sets B to random values so gradients of A are non-zero. */
    static void randomiseB(LoraKernel k, String name, long seed) {
        NDArray b = k.adapter(name).loraB();
        b.set(k.adapter(name).loraB().getManager().create(randn((int) b.size(), seed, 0.3), b.getShape())
                .toType(b.getDataType(), false).toByteBuffer());
    }

    static double lossOf(LinearKernel k, NDArray x, NDArray c) {
        try (NDManager s = x.getManager().newSubManager()) {
            NDArray y = k.forward(x);
            y.attach(s);
            return y.mul(c).sum().toType(DataType.FLOAT64, false).getDouble();
        }
    }

    static void checkGradients(LoraKernel k, NDArray x, NDArray c, NDArray... wrt) {
        NDManager m = x.getManager();
        for (NDArray p : wrt) {
            p.setRequiresGradient(true);
        }
        double[][] analytic = new double[wrt.length][];
        try (NDManager s = m.newSubManager(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray y = k.forward(x);
            y.attach(s);
            NDArray loss = y.mul(c).sum();
            gc.backward(loss);
        }
        for (int i = 0; i < wrt.length; i++) {
            try (NDArray g = wrt[i].getGradient()) {
                analytic[i] = g.toDoubleArray();
            }
        }
        double eps = 1e-6;
        for (int i = 0; i < wrt.length; i++) {
            NDArray p = wrt[i];
            double[] values = p.toDoubleArray();
            for (int j = 0; j < values.length; j += Math.max(1, values.length / 40)) {
                double orig = values[j];
                values[j] = orig + eps;
                p.set(m.create(values, p.getShape()).toByteBuffer());
                double up = lossOf(k, x, c);
                values[j] = orig - eps;
                p.set(m.create(values, p.getShape()).toByteBuffer());
                double down = lossOf(k, x, c);
                values[j] = orig;
                p.set(m.create(values, p.getShape()).toByteBuffer());
                double numeric = (up - down) / (2 * eps);
                assertEquals(numeric, analytic[i][j], 1e-6 * Math.max(1, Math.abs(numeric)),
                        "tensor " + i + " element " + j);
            }
        }
    }

    @Test
    void loraGradientsMatchFiniteDifferencesInFloat64() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray w = m.create(randn(7 * 10, 3, 0.5), new Shape(7, 10));
            NDArray bias = m.create(randn(7, 4, 0.5), new Shape(7));
            try (LoraKernel k = new LoraKernel("v_proj", new DenseKernel(w, bias), 10, 7, m, DataType.FLOAT64)) {
                k.updateLayer("default", 3, 6, 0.0, false, 5);
                randomiseB(k, "default", 6);
                NDArray x = m.create(randn(2 * 3 * 10, 7, 1), new Shape(2, 3, 10));
                NDArray c = m.create(randn(2 * 3 * 7, 8, 1), new Shape(2, 3, 7));
                checkGradients(k, x, c, k.adapter("default").loraA(), k.adapter("default").loraB(), x);
            }
        }
    }

    @Test
    void qloraGradientsMatchFiniteDifferencesThroughTheDequantisedBase() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray w = m.create(randn(12 * 16, 9, 0.5), new Shape(12, 16));
            for (QuantizedKernel q : new QuantizedKernel[]{new Nf4Kernel(m, w, null, true, DataType.FLOAT64),
                    new Int8Kernel(m, w, null, DataType.FLOAT64)}) {
                try (q; LoraKernel k = new LoraKernel("q_proj", q, 16, 12, m, DataType.FLOAT64)) {
                    k.updateLayer("default", 4, 8, 0.0, true, 5);
                    randomiseB(k, "default", 10);
                    NDArray x = m.create(randn(5 * 16, 11, 1), new Shape(5, 16));
                    NDArray c = m.create(randn(5 * 12, 12, 1), new Shape(5, 12));
                    checkGradients(k, x, c, k.adapter("default").loraA(), k.adapter("default").loraB(), x);
                    // the frozen quantised base receives no gradient and stays as stored
                    assertTrue(q.tensors().values().stream().noneMatch(NDArray::hasGradient));
                }
            }
        }
    }

    @Test
    void mergeUnmergeAndDeltaWeight() {
        try (NDManager m = NDManager.newBaseManager()) {
            int in = 24;
            int out = 16;
            double[] wv = randn(out * in, 13, 0.2);
            NDArray w = m.create(wv, new Shape(out, in)).toType(DataType.FLOAT32, false);
            float[] original = w.toFloatArray();
            try (LoraKernel k = new LoraKernel("o_proj", new DenseKernel(w, null), in, out, m, DataType.FLOAT32)) {
                k.updateLayer("default", 4, 8, 0.0, false, 3);
                randomiseB(k, "default", 14);
                // delta = B A * alpha/r, checked against a plain Java product
                float[] a = k.adapter("default").loraA().toFloatArray();
                float[] b = k.adapter("default").loraB().toFloatArray();
                float[] delta = k.getDeltaWeight("default", m).toFloatArray();
                for (int o = 0; o < out; o++) {
                    for (int i = 0; i < in; i++) {
                        double sum = 0;
                        for (int r = 0; r < 4; r++) {
                            sum += b[o * 4 + r] * (double) a[r * in + i];
                        }
                        assertEquals(sum * 2.0, delta[o * in + i], 1e-6);
                    }
                }
                NDArray x = m.create(randn(6 * in, 15, 1), new Shape(6, in)).toType(DataType.FLOAT32, false);
                float[] unmerged = k.forward(x).toFloatArray();
                k.merge("default");
                assertTrue(k.isMerged("default"));
                float[] merged = k.forward(x).toFloatArray();
                for (int i = 0; i < merged.length; i++) {
                    assertEquals(unmerged[i], merged[i], 1e-5);
                }
                k.unmerge("default");
                float[] restored = w.toFloatArray();
                for (int i = 0; i < restored.length; i++) {
                    assertEquals(original[i], restored[i], 1e-6);
                }
            }
        }
    }

    @Test
    void severalNamedAdaptersOnOneBase() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray w = m.create(randn(8 * 8, 21, 0.3), new Shape(8, 8)).toType(DataType.FLOAT32, false);
            DenseKernel base = new DenseKernel(w, null);
            try (LoraKernel k = new LoraKernel("q_proj", base, 8, 8, m, DataType.FLOAT32)) {
                k.updateLayer("first", 2, 4, 0.0, false, 1);
                k.updateLayer("second", 4, 4, 0.0, false, 2);
                randomiseB(k, "first", 3);
                randomiseB(k, "second", 4);
                NDArray x = m.create(randn(3 * 8, 22, 1), new Shape(3, 8)).toType(DataType.FLOAT32, false);
                Supplier<float[]> expected = () -> base.forward(x).add(x.matMul(k.getDeltaWeight(k.activeAdapter(), m)
                        .transpose())).toFloatArray();
                assertEquals("first", k.activeAdapter());
                assertArrayEquals(expected.get(), k.forward(x).toFloatArray(), 1e-5f);
                k.setActiveAdapter("second");
                assertArrayEquals(expected.get(), k.forward(x).toFloatArray(), 1e-5f);
                k.setActiveAdapter(null);
                assertArrayEquals(base.forward(x).toFloatArray(), k.forward(x).toFloatArray());
                assertThrows(IllegalArgumentException.class, () -> k.setActiveAdapter("third"));
                assertThrows(IllegalArgumentException.class, () -> k.updateLayer("bad", 0, 1, 0, false, 1));
            }
        }
    }
}
