package dev.tunelab.tune;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.tunelab.model.DenseKernel;
import dev.tunelab.model.LinearKernel;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * LoRA (Hu et al. 2021) on one linear module: {@code y = base(x) + dropout(x) A^T B^T * scaling} with A [r, in]
 * Kaiming-uniform initialised, B [out, r] zero-initialised (so training starts exactly at the base model), and
 * scaling = alpha / r (rsLoRA: alpha / sqrt(r)). Several named adapters can sit on one base; one is active.
 * The base (dense or quantised) is frozen. Methods mirror PEFT's LoraLayer: update_layer, get_delta_weight, merge,
 * unmerge.
 */
public final class LoraKernel implements LinearKernel, AutoCloseable {
    /** One adapter's weights and constants. */
    public static final class Adapter {
        final int r;
        final double alpha;
        final double dropout;
        final boolean rslora;
        final double scaling;
        final NDArray a;
        final NDArray b;
        final NDArray scale; // scalar NDArray: a Java Number inside autograd is unsafe in DJL

        Adapter(int r, double alpha, double dropout, boolean rslora, NDArray a, NDArray b, NDArray scale) {
            this.r = r;
            this.alpha = alpha;
            this.dropout = dropout;
            this.rslora = rslora;
            this.scaling = scalingOf(alpha, r, rslora);
            this.a = a;
            this.b = b;
            this.scale = scale;
        }

        public NDArray loraA() {
            return a;
        }

        public NDArray loraB() {
            return b;
        }

        public double scaling() {
            return scaling;
        }

        public int r() {
            return r;
        }
    }

    private final String moduleName;
    private final int inFeatures;
    private final int outFeatures;
    private LinearKernel base;
    private final NDManager manager;
    private final DataType dataType;
    private final Map<String, Adapter> adapters = new LinkedHashMap<>();
    private final Set<String> merged = new LinkedHashSet<>();
    private String active;
    private boolean training = true;

    public LoraKernel(String moduleName, LinearKernel base, int inFeatures, int outFeatures, NDManager parent,
                      DataType dataType) {
        this.moduleName = moduleName;
        this.base = base;
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        this.manager = parent.newSubManager();
        this.dataType = dataType;
    }

    public static double scalingOf(double alpha, int r, boolean rslora) {
        return rslora ? alpha / Math.sqrt(r) : alpha / r;
    }

    public String moduleName() {
        return moduleName;
    }

    public LinearKernel base() {
        return base;
    }

    /** The base with any {@link MixedPrecisionKernel} wrapper removed (the dense or quantised kernel itself). */
    public LinearKernel storedBase() {
        return base instanceof MixedPrecisionKernel mp ? mp.inner() : base;
    }

    /** Swaps the frozen base (mixed precision wraps it); the adapters are unchanged. */
    void setBase(LinearKernel newBase) {
        if (!merged.isEmpty()) {
            throw new IllegalStateException(moduleName + ": unmerge the adapters before changing the base");
        }
        this.base = java.util.Objects.requireNonNull(newBase, "base");
    }

    /**
     * Adds (or re-initialises) adapter {@code name}: A ~ U(-1/sqrt(in), 1/sqrt(in)) (PEFT's kaiming_uniform_ with
     * a = sqrt(5)), B = 0. The first adapter added becomes active.
     */
    public Adapter updateLayer(String name, int r, double alpha, double dropout, boolean rslora, long seed) {
        if (r <= 0) {
            throw new IllegalArgumentException("LoRA rank r must be positive, got " + r);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("LoRA dropout must be in [0, 1), got " + dropout);
        }
        SplittableRandom rng = new SplittableRandom(seed ^ (moduleName + "/" + name).hashCode() * 0x9E3779B97F4A7C15L);
        double bound = 1.0 / Math.sqrt(inFeatures);
        float[] aInit = new float[r * inFeatures];
        for (int i = 0; i < aInit.length; i++) {
            aInit[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
        }
        NDArray a = QuantizedKernel.convert(manager.create(aInit, new Shape(r, inFeatures)), dataType);
        NDArray b = manager.zeros(new Shape(outFeatures, r), dataType);
        return putAdapter(name, r, alpha, dropout, rslora, a, b);
    }

    /** Installs adapter weights read from a file (A [r, in], B [out, r]); they are copied into this kernel. */
    public Adapter loadAdapter(String name, double alpha, double dropout, boolean rslora, NDArray a, NDArray b) {
        long[] as = a.getShape().getShape();
        long[] bs = b.getShape().getShape();
        if (as.length != 2 || bs.length != 2 || as[1] != inFeatures || bs[0] != outFeatures || as[0] != bs[1]) {
            throw new IllegalArgumentException(moduleName + ": adapter shapes lora_A " + a.getShape() + " / lora_B "
                    + b.getShape() + " do not fit a linear of in=" + inFeatures + ", out=" + outFeatures);
        }
        NDArray ac = a.toType(dataType, true);
        NDArray bc = b.toType(dataType, true);
        NDArray aOwn = manager.create(ac.toByteBuffer(), ac.getShape(), dataType);
        NDArray bOwn = manager.create(bc.toByteBuffer(), bc.getShape(), dataType);
        ac.close();
        bc.close();
        return putAdapter(name, (int) as[0], alpha, dropout, rslora, aOwn, bOwn);
    }

    private Adapter putAdapter(String name, int r, double alpha, double dropout, boolean rslora, NDArray a, NDArray b) {
        Adapter old = adapters.remove(name);
        if (old != null) {
            if (merged.contains(name)) {
                throw new IllegalStateException(moduleName + ": unmerge adapter '" + name + "' before replacing it");
            }
            old.a.close();
            old.b.close();
            old.scale.close();
        }
        NDArray scale = QuantizedKernel.convert(manager.create((float) scalingOf(alpha, r, rslora)), dataType);
        Adapter ad = new Adapter(r, alpha, dropout, rslora, a, b, scale);
        adapters.put(name, ad);
        if (active == null) {
            active = name;
        }
        return ad;
    }

    public Map<String, Adapter> adapters() {
        return java.util.Collections.unmodifiableMap(adapters);
    }

    public Adapter adapter(String name) {
        Adapter a = adapters.get(name);
        if (a == null) {
            throw new IllegalArgumentException(moduleName + ": no adapter named '" + name + "' (have " + adapters.keySet() + ")");
        }
        return a;
    }

    public String activeAdapter() {
        return active;
    }

    /** Which adapter the forward pass uses; null disables LoRA (plain base). */
    public void setActiveAdapter(String name) {
        if (name != null) {
            adapter(name);
        }
        active = name;
    }

    public void setTraining(boolean training) {
        this.training = training;
    }

    /** delta W = B A * scaling, [out, in], owned by {@code target}. */
    public NDArray getDeltaWeight(String name, NDManager target) {
        Adapter ad = adapter(name);
        try (NDManager scope = target.newSubManager()) {
            ad.b.tempAttach(scope);
            ad.scale.tempAttach(scope);
            NDArray delta = ad.b.matMul(ad.a).mul(ad.scale);
            delta.attach(target);
            return delta;
        }
    }

    /** Folds adapter {@code name} into the dense base weight (W += B A * scaling); forward then skips it. */
    public void merge(String name) {
        DenseKernel dense = denseBase("merge");
        if (merged.contains(name)) {
            return;
        }
        try (NDManager scope = manager.newSubManager()) {
            NDArray delta = getDeltaWeight(name, scope);
            dense.weight().addi(delta.toType(dense.weight().getDataType(), false));
        }
        merged.add(name);
    }

    /** Undoes {@link #merge} (W -= B A * scaling). */
    public void unmerge(String name) {
        DenseKernel dense = denseBase("unmerge");
        if (!merged.remove(name)) {
            return;
        }
        try (NDManager scope = manager.newSubManager()) {
            NDArray delta = getDeltaWeight(name, scope);
            dense.weight().subi(delta.toType(dense.weight().getDataType(), false));
        }
    }

    public boolean isMerged(String name) {
        return merged.contains(name);
    }

    private DenseKernel denseBase(String what) {
        if (storedBase() instanceof DenseKernel d) {
            return d;
        }
        throw new UnsupportedOperationException(moduleName + ": cannot " + what + " into a quantised base; "
                + "dequantise the model first");
    }

    @Override
    public NDArray forward(NDArray x) {
        NDArray y = base.forward(x);
        if (active == null || merged.contains(active)) {
            return y;
        }
        Adapter ad = adapters.get(active);
        NDArray h = x;
        boolean dropped = training && ad.dropout > 0;
        if (dropped) {
            h = x.getNDArrayInternal().dropout(x, (float) ad.dropout, true).singletonOrThrow();
        }
        // Scale the rank-r activations rather than the [.., out] update: same result, r/out of the work.
        NDArray down = h.getNDArrayInternal().linear(h, ad.a, null).singletonOrThrow();
        NDArray scaled = down.mul(ad.scale);
        NDArray up = scaled.getNDArrayInternal().linear(scaled, ad.b, null).singletonOrThrow();
        NDArray out = y.addi(up);
        if (dropped) {
            h.close();
        }
        down.close();
        scaled.close();
        up.close();
        return out;
    }

    @Override
    public Map<String, NDArray> tensors() {
        Map<String, NDArray> m = new LinkedHashMap<>(base.tensors());
        if (active != null) {
            Adapter ad = adapters.get(active);
            m.put("lora_A.weight", ad.a);
            m.put("lora_B.weight", ad.b);
        }
        return m;
    }

    /** Bytes of every adapter's A and B. */
    public long adapterBytes() {
        long sum = 0;
        for (Adapter ad : adapters.values()) {
            sum += (ad.a.size() + ad.b.size()) * ad.a.getDataType().getNumOfBytes();
        }
        return sum;
    }

    @Override
    public void close() {
        manager.close(); // a quantised base stays: it is the model's base now (owned under the model's manager)
    }
}
