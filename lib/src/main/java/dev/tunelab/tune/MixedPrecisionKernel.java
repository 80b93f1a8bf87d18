package dev.tunelab.tune;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import dev.tunelab.model.DenseKernel;
import dev.tunelab.model.LinearKernel;

import java.util.Map;

/**
 * One linear in mixed precision, as torch.autocast runs {@code nn.Linear}: the input is cast to the compute type
 * (fp16), the matmul runs there, and the output is cast back to the input's type (fp32), so the norms, softmax and
 * loss around it stay fp32. The inner kernel's weight is one of:
 * <ul>
 *   <li>stored in the compute type (a frozen base: half the bytes of fp32);</li>
 *   <li>an fp32 master weight (trainable, or shared with the embedding), cast down on every forward: its gradient
 *   flows back through the cast and accumulates in fp32;</li>
 *   <li>a quantised base dequantised straight into the compute type (QLoRA, as bitsandbytes'
 *   {@code bnb_4bit_compute_dtype}).</li>
 * </ul>
 * Every cast is {@link #cast differentiable}: DJL's {@code toType} runs under torch's NoGradGuard and would cut the
 * autograd graph.
 */
public final class MixedPrecisionKernel implements LinearKernel {
    private final LinearKernel inner;
    private final DataType computeType;

    /**
     * @param inner       the base computation; a {@link DenseKernel} whose weight is not in {@code computeType} is
     *                    treated as an fp32 master weight and cast per forward, any other kernel must compute in
     *                    {@code computeType} when given input of that type
     * @param computeType the matmul type (FLOAT16)
     */
    public MixedPrecisionKernel(LinearKernel inner, DataType computeType) {
        if (inner instanceof MixedPrecisionKernel) {
            throw new IllegalArgumentException("the kernel is already in mixed precision");
        }
        this.inner = inner;
        this.computeType = computeType;
    }

    public LinearKernel inner() {
        return inner;
    }

    public DataType computeType() {
        return computeType;
    }

    /** True when the inner weight is an fp32 master weight cast down on every forward (nothing stored in half). */
    public boolean castsWeightPerForward() {
        return inner instanceof DenseKernel d && d.weight().getDataType() != computeType;
    }

    @Override
    public NDArray forward(NDArray x) {
        NDManager target = x.getManager();
        try (NDManager scope = target.newSubManager()) {
            NDArray xc = cast(x, computeType, scope);
            NDArray y;
            if (inner instanceof DenseKernel d && d.weight().getDataType() != computeType) {
                NDArray w = cast(d.weight(), computeType, scope);
                NDArray b = d.bias() == null ? null : cast(d.bias(), computeType, scope);
                y = xc.getNDArrayInternal().linear(xc, w, b).singletonOrThrow();
            } else {
                y = inner.forward(xc);
            }
            NDArray out = cast(y, x.getDataType(), target);
            if (out == y) {
                y.attach(target); // already in the caller's type: keep it out of the scope that closes
            }
            return out;
        }
    }

    @Override
    public Map<String, NDArray> tensors() {
        return inner.tensors();
    }

    /**
     * {@code x} in type {@code t} as a new array owned by {@code target}, differentiable: an empty array of type
     * {@code t} receives {@code x} through an indexed copy ({@code buf[...] = x}, torch's {@code copy_}), whose
     * backward casts the gradient back to {@code x}'s type. Costs the same as {@code toType} (measured 0.1-0.2 ms for
     * 2048 x 256 on the 2-core CPU), while {@code toType} would detach. Returns {@code x} itself when it already has
     * type {@code t}.
     */
    public static NDArray cast(NDArray x, DataType t, NDManager target) {
        if (x.getDataType() == t) {
            return x;
        }
        NDArray buf = target.create(x.getShape(), t);
        buf.set(new NDIndex("..."), x);
        return buf;
    }
}
