package dev.tunelab.tune;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.tunelab.model.CausalLM;

import java.util.List;

/**
 * Right-padded batches and the completion-only language-modelling loss. Padding sits after each sequence, so with
 * causal attention no real token ever attends to it and positions start at 0 for every row; padded positions and
 * prompt tokens carry no loss (HF's label -100).
 */
public final class Batches {
    private Batches() {}

    /** A collated batch: input ids [B, T] and next-token targets [B, T] (-100 = ignored). */
    public record Batch(int[][] ids, int[][] targets, int lossTokens, int realTokens) {
        public int rows() {
            return ids.length;
        }

        public int length() {
            return ids[0].length;
        }
    }

    public static Batch collate(List<TrainingExample.Tokens> rows, int padId) {
        int t = 1;
        for (TrainingExample.Tokens r : rows) {
            t = Math.max(t, r.ids().length);
        }
        int[][] ids = new int[rows.size()][t];
        int[][] targets = new int[rows.size()][t];
        int loss = 0;
        int real = 0;
        for (int b = 0; b < rows.size(); b++) {
            TrainingExample.Tokens r = rows.get(b);
            java.util.Arrays.fill(ids[b], Math.max(padId, 0));
            java.util.Arrays.fill(targets[b], -100);
            System.arraycopy(r.ids(), 0, ids[b], 0, r.ids().length);
            real += r.ids().length;
            for (int i = 0; i + 1 < r.ids().length; i++) {
                if (r.lossMask()[i + 1]) {
                    targets[b][i] = r.ids()[i + 1];
                    loss++;
                }
            }
        }
        return new Batch(ids, targets, loss, real);
    }

    /**
     * Mean negative log-likelihood over the batch's loss tokens, as a scalar NDArray in {@code manager} (differentiable
     * when called inside a GradientCollector). Scalars are NDArrays, never Java numbers (DJL autograd pitfall).
     */
    /** Sum of log-probabilities of each row's target tokens (no autograd needed), e.g. to score label candidates. */
    public static double[] rowLogLikelihoods(CausalLM model, Batch batch, NDManager manager) {
        int b = batch.rows();
        int t = batch.length();
        long[] flatTargets = new long[b * t];
        float[] mask = new float[b * t];
        int[] flatIds = new int[b * t];
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < t; j++) {
                flatIds[i * t + j] = batch.ids()[i][j];
                int target = batch.targets()[i][j];
                flatTargets[i * t + j] = Math.max(target, 0);
                mask[i * t + j] = target >= 0 ? 1f : 0f;
            }
        }
        NDArray ids = manager.create(flatIds, new Shape(b, t)).toDevice(model.device(), false);
        NDArray logProbs = model.forward(ids, null, null).logSoftmax(-1);
        NDArray targets = manager.create(flatTargets, new Shape(b, t, 1)).toDevice(model.device(), false);
        NDArray maskArray = manager.create(mask, new Shape(b, t, 1)).toDevice(model.device(), false);
        NDArray picked = logProbs.gather(targets, -1).toType(DataType.FLOAT32, false).mul(maskArray);
        float[] perRow = picked.sum(new int[]{1, 2}).toFloatArray();
        double[] out = new double[b];
        for (int i = 0; i < b; i++) {
            out[i] = perRow[i];
        }
        return out;
    }

    public static NDArray loss(CausalLM model, Batch batch, NDManager manager) {
        int b = batch.rows();
        int t = batch.length();
        int[] flatIds = new int[b * t];
        long[] flatTargets = new long[b * t];
        float[] mask = new float[b * t];
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < t; j++) {
                flatIds[i * t + j] = batch.ids()[i][j];
                int target = batch.targets()[i][j];
                flatTargets[i * t + j] = Math.max(target, 0);
                mask[i * t + j] = target >= 0 ? 1f : 0f;
            }
        }
        NDArray ids = manager.create(flatIds, new Shape(b, t)).toDevice(model.device(), false);
        NDArray logits = model.forward(ids, null, null);
        NDArray logProbs = logits.logSoftmax(-1);
        NDArray targets = manager.create(flatTargets, new Shape(b, t, 1)).toDevice(model.device(), false);
        NDArray picked = logProbs.gather(targets, -1);
        NDArray maskArray = manager.create(mask, new Shape(b, t, 1)).toDevice(model.device(), false);
        NDArray count = manager.create((float) Math.max(1, batch.lossTokens())).toDevice(model.device(), false);
        NDArray picked32 = picked.getDataType() == DataType.FLOAT32 ? picked : picked.toType(DataType.FLOAT32, false);
        return picked32.mul(maskArray).sum().neg().div(count);
    }
}
