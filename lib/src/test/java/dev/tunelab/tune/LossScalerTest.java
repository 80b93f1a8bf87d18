package dev.tunelab.tune;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.tunelab.model.DenseKernel;
import dev.tunelab.model.DjlSetup;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Dynamic loss scaling: GradScaler's update rule, exact unscaling, and the fp16 underflow it exists to prevent. */
class LossScalerTest {
    @BeforeAll
    static void setup() {
        DjlSetup.ensure();
    }

    @Test
    void overflowSkipsAndHalvesGoodStepsGrowTheScaleAfterTheInterval() {
        LossScaler s = LossScaler.builder().optInitScale(1024).optGrowthInterval(3).optMaxConsecutiveSkips(2).build();
        assertFalse(s.update(false), "an overflowing step must be skipped");
        assertEquals(512, s.scale());
        assertEquals(1, s.skippedSteps());
        assertTrue(s.update(true));
        assertTrue(s.update(true));
        assertEquals(512, s.scale(), "two good steps: not yet the interval of 3");
        assertEquals(2, s.growthTracker());
        assertFalse(s.update(false), "an overflow resets the growth count");
        assertEquals(256, s.scale());
        assertEquals(0, s.growthTracker());
        for (int i = 0; i < 3; i++) {
            assertTrue(s.update(true));
        }
        assertEquals(512, s.scale(), "3 good steps in a row double the scale");
        assertEquals(0, s.growthTracker());
        assertFalse(s.exhausted());
        s.update(false);
        s.update(false);
        assertTrue(s.exhausted(), "2 skips in a row reach the limit");
        assertEquals(4, s.skippedSteps());
        s.restore(2048, 1, 7, 0);
        assertEquals(2048, s.scale());
        assertFalse(s.exhausted());
        LossScaler d = LossScaler.defaults();
        assertEquals(65536, d.scale(), "GradScaler's init_scale");
        for (var bad : new java.util.function.Supplier<?>[] {() -> LossScaler.builder().optInitScale(0).build(),
                () -> LossScaler.builder().optBackoffFactor(1).build(), () -> LossScaler.builder().optGrowthFactor(1).build(),
                () -> LossScaler.builder().optGrowthInterval(0).build()}) {
            assertThrows(IllegalArgumentException.class, bad::get);
        }
    }

    /** Gradients of W for loss(forward(x)) with the loss scaled by {@code scaler} (null: not scaled), then unscaled. */
    static float[] gradient(NDManager m, float[] w, float[] x, Function<NDArray, NDArray> forward, NDArray lossWeight,
                            LossScaler scaler, NDArray[] weightOut) {
        NDArray weight = m.create(w, new Shape(3, 8));
        weight.setRequiresGradient(true);
        weightOut[0] = weight;
        try (NDManager step = m.newSubManager(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray input = step.create(x, new Shape(4, 8));
            NDArray loss = forward.apply(input).sum().mul(lossWeight);
            gc.backward(scaler == null ? loss : scaler.scale(loss));
        }
        if (scaler != null) {
            scaler.unscale(Map.of("w", weight));
        }
        try (NDArray g = weight.getGradient()) {
            return g.toFloatArray();
        }
    }

    static float[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return a;
    }

    @Test
    void unscaledGradientsEqualUnscaledTrainingBitForBit() {
        float[] w = random(24, 1);
        float[] x = random(32, 2);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray lossWeight = m.create(new float[] {0.5f, -1.25f, 2f}, new Shape(3));
            NDArray[] wArr = new NDArray[1];
            Function<NDArray, NDArray> fp32 = in -> in.getNDArrayInternal().linear(in, wArr[0], null)
                    .singletonOrThrow().tanh();
            float[] plain = gradient(m, w, x, fp32, lossWeight, null, wArr);
            float[] scaled = gradient(m, w, x, fp32, lossWeight, LossScaler.builder().optInitScale(32768).build(), wArr);
            assertArrayEquals(plain, scaled, "a power-of-two scale must unscale exactly");
            assertTrue(Math.abs(plain[0]) > 0);
        }
    }

    @Test
    void scalingRescuesFp16GradientsThatWouldFlushToZero() {
        float[] w = random(24, 3);
        float[] x = random(32, 4);
        double tiny = 1e-9; // below fp16's smallest subnormal (6e-8): the fp16 backward flushes it to zero
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray lossWeight = m.create((float) tiny);
            NDArray[] wArr = new NDArray[1];
            Function<NDArray, NDArray> fp16 = in -> new MixedPrecisionKernel(new DenseKernel(wArr[0], null),
                    DataType.FLOAT16).forward(in);
            float[] unscaled = gradient(m, w, x, fp16, lossWeight, null, wArr);
            for (float g : unscaled) {
                assertEquals(0f, g, "without loss scaling the fp16 gradient underflows");
            }
            float[] rescued = gradient(m, w, x, fp16, lossWeight, LossScaler.defaults(), wArr);
            // d/dW[j][k] of tiny * sum(x W^T) = tiny * sum_i x[i][k], computed here in double
            for (int j = 0; j < 3; j++) {
                for (int k = 0; k < 8; k++) {
                    double expected = 0;
                    for (int i = 0; i < 4; i++) {
                        expected += x[i * 8 + k];
                    }
                    expected *= tiny;
                    assertEquals(expected, rescued[j * 8 + k], Math.abs(expected) * 2e-3 + tiny * 4e-3,
                            "dW[" + j + "][" + k + "] within fp16 rounding of the exact gradient");
                }
            }
        }
    }
}
