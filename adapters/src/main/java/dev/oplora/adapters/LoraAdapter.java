package dev.oplora.adapters;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import dev.oplora.init.AdapterInit;
import dev.oplora.init.InitOptions;
import java.util.List;

/**
 * Low-rank adapter: y = x W^T + b + s * dropout(x) A^T B^T with A [r, in], B [out, r].
 *
 * <p>With a {@link Projection} ("projected") the adapter is kept off the principal subspaces of
 * the original W: {@link #projectParameters()} (after each optimizer step) or
 * {@link #projectGradients()} (before it) removes the components of A's rows along V_k and of
 * B's columns along U_k, so U_k^T (B A) = 0 and (B A) V_k = 0 hold for the whole run.
 */
public final class LoraAdapter implements Adapter {

    /** Orthonormal bases of the protected subspaces: uk [out, k], vk [in, k]. */
    public record Projection(NDArray uk, NDArray vk) {
    }

    private final Parameter a;
    private final Parameter b;
    private final double scaling;
    /** s as a 0-d tensor PyTorch owns, made once: the forward pass multiplies by it every call. */
    private final NDArray scale;
    private final float dropout;
    private final String init;
    private final Projection projection;
    private NDArray initialA;
    private NDArray initialB;
    /** DoRA's per-output-row magnitude m [out], or null for plain LoRA. */
    private Parameter magnitude;

    LoraAdapter(NDArray a, NDArray b, double scaling, float dropout, String init, Projection projection) {
        this.a = LinearLayer.parameter("lora_A", Parameter.Type.WEIGHT, a, true);
        this.b = LinearLayer.parameter("lora_B", Parameter.Type.WEIGHT, b, true);
        this.scaling = scaling;
        this.scale = Scalars.of(a, scaling);
        this.dropout = dropout;
        this.init = init;
        this.projection = projection;
    }

    /**
     * Where an adapter starts, as DJL arrays (see {@link EngineBridge#lowRank}).
     *
     * @param residual the new base weight of residual inits (pissa, milora), else null
     * @param projection the protected subspaces of a projected adapter, else null
     */
    public record Start(NDArray a, NDArray b, NDArray residual, double scaling, Projection projection) {
    }

    /** Computes the init on the layer's weight (through {@link EngineBridge}) and attaches the adapter. */
    public static LoraAdapter attach(LinearLayer layer, AdapterInit init, InitOptions options, float dropout,
                                     boolean projected) {
        return attach(layer, EngineBridge.lowRank(layer, init, options, projected), init, dropout);
    }

    /**
     * Turns this adapter into DoRA (weight-decomposed LoRA, as PEFT's {@code use_dora}): the
     * layer applies m * (W + s B A) / ||W + s B A|| row by row, the norm treated as a constant
     * (detached, DoRA section 4.3), with the magnitude m [out] trained and started at the row
     * norms of W + s B0 A0, so the adapter is still a no-op at step 0.
     */
    public LoraAdapter withDora(LinearLayer layer) {
        NDArray norms;
        // B A, s B A and W + s B A are weight-sized: freed here, only the norms stay.
        try (ai.djl.ndarray.NDScope scope = new ai.djl.ndarray.NDScope()) {
            scope.suppressNotUsedWarning();
            norms = rowNorms(layer.weight()).duplicate();
            ai.djl.ndarray.NDScope.unregister(norms);
        }
        return withDora(layer, norms);
    }

    /** DoRA with a given (loaded) magnitude vector [out]. */
    public LoraAdapter withDora(LinearLayer layer, NDArray loaded) {
        if (loaded.getShape().dimension() != 1 || loaded.getShape().get(0) != layer.outFeatures()) {
            throw new IllegalArgumentException("lora_magnitude_vector " + loaded.getShape() + " does not fit a layer with "
                    + layer.outFeatures() + " outputs");
        }
        magnitude = LinearLayer.parameter("lora_magnitude_vector", Parameter.Type.WEIGHT, EngineBridge.owned(loaded), true);
        layer.addAdapterParameter(magnitude);
        return this;
    }

    /** ||W + s B A|| over each output row, without gradient (the base weight W is the frozen one). */
    private NDArray rowNorms(NDArray baseWeight) {
        return baseWeight.add(b.getArray().stopGradient().matMul(a.getArray().stopGradient()).mul(scale))
                .norm(new int[] {1}).stopGradient();
    }

    /** DoRA's magnitude vector, or null for plain LoRA. */
    public NDArray magnitude() {
        return magnitude == null ? null : magnitude.getArray();
    }

    /**
     * Attaches an adapter at {@code start} and, for residual inits, the residual base; a
     * projected adapter is projected once right away.
     */
    public static LoraAdapter attach(LinearLayer layer, Start start, AdapterInit init, float dropout) {
        if (dropout < 0 || dropout >= 1) {
            throw new IllegalArgumentException("lora_dropout must be in [0, 1), got " + dropout);
        }
        LoraAdapter adapter = new LoraAdapter(start.a(), start.b(), start.scaling(), dropout, init.name(),
                start.projection());
        if (start.residual() != null) {
            // The export to plain LoRA against the original base needs the starting factors.
            adapter.initialA = start.a().duplicate();
            adapter.initialB = start.b().duplicate();
        }
        layer.attach(adapter, start.residual());
        adapter.projectParameters();
        return adapter;
    }

    /** Attaches given A and B (a loaded adapter file) with scaling s. */
    public static LoraAdapter attach(LinearLayer layer, NDArray a, NDArray b, double scaling, String init) {
        long r = a.getShape().get(0);
        if (a.getShape().dimension() != 2 || b.getShape().dimension() != 2 || a.getShape().get(1) != layer.inFeatures()
                || b.getShape().get(0) != layer.outFeatures() || b.getShape().get(1) != r) {
            throw new IllegalArgumentException("lora_A " + a.getShape() + " and lora_B " + b.getShape()
                    + " do not fit a layer of " + layer.inFeatures() + " -> " + layer.outFeatures());
        }
        LoraAdapter adapter = new LoraAdapter(EngineBridge.owned(a), EngineBridge.owned(b), scaling, 0f, init, null);
        layer.attach(adapter, null);
        return adapter;
    }

    @Override
    public String kind() {
        return magnitude == null ? "lora" : "dora";
    }

    public String init() {
        return init;
    }

    public NDArray a() {
        return a.getArray();
    }

    public NDArray b() {
        return b.getArray();
    }

    public int rank() {
        return (int) a.getArray().getShape().get(0);
    }

    public double scaling() {
        return scaling;
    }

    public float dropout() {
        return dropout;
    }

    public Projection projection() {
        return projection;
    }

    /** Whether the base holds a residual (pissa, milora): then A0 and B0 are kept. */
    public boolean hasResidualBase() {
        return initialA != null;
    }

    /** A0 of a residual init, else null. */
    public NDArray initialA() {
        return initialA;
    }

    /** B0 of a residual init, else null. */
    public NDArray initialB() {
        return initialB;
    }

    @Override
    public List<Parameter> parameters() {
        return magnitude == null ? List.of(a, b) : List.of(a, b, magnitude);
    }

    @Override
    public NDArray forward(NDArray x, NDArray baseWeight, NDArray bias, boolean training) {
        // Plain LoRA adds the bias with the base; DoRA rescales the base and the update first.
        NDArray base = Linear.linear(x, baseWeight, magnitude == null ? bias : null).singletonOrThrow();
        NDArray h = dropout > 0 && training ? Dropout.dropout(x, dropout, true).singletonOrThrow() : x;
        // The scale multiplies the r-wide intermediate, not the out-wide result, and the sum is
        // taken in place in the base output (its backward needs neither): no extra pass over a
        // tokens x out tensor forward or backward, no extra buffer of that size.
        NDArray down = Linear.linear(h, a.getArray()).singletonOrThrow().mul(scale);
        NDArray update = Linear.linear(down, b.getArray()).singletonOrThrow();
        if (magnitude == null) {
            return base.addi(update);
        }
        NDArray factor = magnitude.getArray().div(rowNorms(baseWeight));
        NDArray out;
        if (h == x) {
            // DoRA: (m / ||W + s B A||) (x W^T + s x A^T B^T) + b.
            out = base.addi(update).mul(factor);
        } else {
            // With dropout PEFT feeds the dropped input to DoRA's whole term:
            // x W^T + (m/n - 1) h W^T + (m/n) s h A^T B^T (+ b).
            NDArray dropped = Linear.linear(h, baseWeight).singletonOrThrow();
            out = base.add(dropped.mul(Scalars.add(factor, -1))).add(update.mul(factor));
        }
        return bias == null ? out : out.addi(bias);
    }

    @Override
    public NDArray deltaWeight(NDArray baseWeight) {
        NDArray delta = b.getArray().matMul(a.getArray()).mul(scale);
        if (magnitude == null) {
            return delta;
        }
        // W + s B A once: its row norms and its rescaled rows both come from it.
        NDArray combined = baseWeight.add(delta);
        NDArray factor = magnitude.getArray().div(combined.norm(new int[] {1})).expandDims(1);
        return combined.mul(factor).sub(baseWeight);
    }

    @Override
    public long trainableParameterCount() {
        return a.getArray().size() + b.getArray().size() + (magnitude == null ? 0 : magnitude.getArray().size());
    }

    /** A -= (A V_k) V_k^T and B -= U_k (U_k^T B), in place. A no-op without a projection. */
    public void projectParameters() {
        if (projection != null) {
            projectRows(a.getArray(), projection.vk());
            projectColumns(b.getArray(), projection.uk());
        }
    }

    /** The same projection on the gradients (call after backward, before the optimizer). */
    public void projectGradients() {
        if (projection != null) {
            projectRows(a.getArray().getGradient(), projection.vk());
            projectColumns(b.getArray().getGradient(), projection.uk());
        }
    }

    private static void projectRows(NDArray x, NDArray v) {
        x.subi(x.matMul(v).matMul(v.transpose()));
    }

    private static void projectColumns(NDArray x, NDArray u) {
        x.subi(u.matMul(u.transpose().matMul(x)));
    }
}
