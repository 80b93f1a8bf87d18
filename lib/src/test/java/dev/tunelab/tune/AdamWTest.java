package dev.tunelab.tune;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.tunelab.model.DjlSetup;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AdamWTest {
    @BeforeAll
    static void setup() {
        DjlSetup.ensure();
    }

    static float[] randn(int n, Random r) {
        float[] f = new float[n];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) r.nextGaussian();
        }
        return f;
    }

    @Test
    void stepsEqualTorchAdamWWithClipping(@TempDir Path tmp) throws Exception {
        Random r = new Random(3);
        int steps = 5;
        float[] p0 = randn(12, r);
        float[] p1 = randn(5, r);
        float[][] g0 = new float[steps][];
        float[][] g1 = new float[steps][];
        for (int s = 0; s < steps; s++) {
            g0[s] = randn(12, r);
            g1[s] = randn(5, r);
        }
        double lr = 0.01;
        double wd = 0.1;
        double maxNorm = 2.0;
        float[] all = new float[17 + steps * 17];
        System.arraycopy(p0, 0, all, 0, 12);
        System.arraycopy(p1, 0, all, 12, 5);
        for (int s = 0; s < steps; s++) {
            System.arraycopy(g0[s], 0, all, 17 + s * 17, 12);
            System.arraycopy(g1[s], 0, all, 17 + s * 17 + 12, 5);
        }
        Py.writeFloats(tmp.resolve("in.bin"), all);
        String script = """
                import sys, numpy as np, torch
                d = np.fromfile(sys.argv[1], dtype='<f4'); steps = int(sys.argv[2])
                a = torch.nn.Parameter(torch.tensor(d[:12]).reshape(3, 4)); b = torch.nn.Parameter(torch.tensor(d[12:17]))
                opt = torch.optim.AdamW([a, b], lr=0.01, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.1)
                for s in range(steps):
                    g = d[17 + s * 17: 34 + s * 17]
                    a.grad = torch.tensor(g[:12]).reshape(3, 4).clone(); b.grad = torch.tensor(g[12:]).clone()
                    torch.nn.utils.clip_grad_norm_([a, b], 2.0)
                    opt.step()
                np.concatenate([a.detach().numpy().reshape(-1), b.detach().numpy()]).astype('<f4').tofile(sys.argv[3])
                """;
        Py.run(script, tmp, tmp.resolve("in.bin").toString(), Integer.toString(steps), tmp.resolve("out.bin").toString());
        float[] ref = Py.readFloats(tmp.resolve("out.bin"));

        try (NDManager m = NDManager.newBaseManager()) {
            LinkedHashMap<String, NDArray> params = new LinkedHashMap<>();
            params.put("a", m.create(p0, new Shape(3, 4)));
            params.put("b", m.create(p1, new Shape(5)));
            params.values().forEach(p -> p.setRequiresGradient(true));
            try (AdamW opt = new AdamW(m, 0.9, 0.999, 1e-8, wd)) {
                int clipped = 0;
                for (int s = 0; s < steps; s++) {
                    try (NDManager sm = m.newSubManager(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray ga = sm.create(g0[s], new Shape(3, 4));
                        NDArray gb = sm.create(g1[s], new Shape(5));
                        NDArray loss = params.get("a").mul(ga).sum().add(params.get("b").mul(gb).sum());
                        gc.backward(loss);
                    }
                    double norm = AdamW.gradientNorm(params, 1.0);
                    double clip = norm > maxNorm ? maxNorm / (norm + 1e-6) : 1.0;
                    clipped += clip < 1 ? 1 : 0;
                    opt.step(params, lr, clip);
                }
                assertTrue(clipped > 0, "the test data must exercise clipping");
                assertEquals(2L * 17 * 4, opt.stateBytes());
            }
            float[] ours = new float[17];
            System.arraycopy(params.get("a").toFloatArray(), 0, ours, 0, 12);
            System.arraycopy(params.get("b").toFloatArray(), 0, ours, 12, 5);
            for (int i = 0; i < 17; i++) {
                assertEquals(ref[i], ours[i], 1e-6, "parameter element " + i);
            }
            // gradients were zeroed after the last step
            assertEquals(0.0, AdamW.gradientNorm(params, 1.0));
        }
    }

    @Test
    void schedulesFollowTheirFormulas() {
        LrSchedule cos = new LrSchedule(LrSchedule.Kind.COSINE, 1e-3, 10, 110);
        assertEquals(1e-3 * 1 / 11, cos.at(0), 1e-15);
        assertEquals(1e-3 * 10 / 11, cos.at(9), 1e-15);
        assertEquals(1e-3, cos.at(10), 1e-15);
        assertEquals(0.5e-3, cos.at(60), 1e-12);
        assertEquals(0.0, cos.at(110), 1e-15);
        LrSchedule lin = new LrSchedule(LrSchedule.Kind.LINEAR, 2e-4, 0, 100);
        assertEquals(2e-4, lin.at(0), 1e-15);
        assertEquals(1e-4, lin.at(50), 1e-15);
        LrSchedule cst = new LrSchedule(LrSchedule.Kind.CONSTANT, 5e-5, 4, 100);
        assertEquals(5e-5, cst.at(99), 0);
        assertEquals(5e-5 * 2 / 5, cst.at(1), 1e-18);
    }
}
