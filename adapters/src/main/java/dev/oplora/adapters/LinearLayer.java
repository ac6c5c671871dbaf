package dev.oplora.adapters;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * A linear layer in the Hugging Face layout, y = x W^T + b with W [out, in], whose base weight is
 * frozen and to which one {@link Adapter} can be attached. The injection point of every adapter
 * kind; the policy model builds its projections from these.
 *
 * <p>Residual inits (pissa, milora) replace the base weight; the original is kept, because the
 * reference policy and the PEFT export both need it.
 */
public final class LinearLayer extends AbstractBlock {

    private static final byte VERSION = 1;

    private Parameter weight;
    private final Parameter bias;
    private Adapter adapter;
    private NDArray originalWeight;
    private boolean merged;
    private NDArray mergedDelta;

    private LinearLayer(NDArray weight, NDArray bias, boolean trainable) {
        super(VERSION);
        if (weight.getShape().dimension() != 2) {
            throw new IllegalArgumentException("linear weight must be 2-D [out, in], got " + weight.getShape());
        }
        if (bias != null && (bias.getShape().dimension() != 1 || bias.size() != weight.getShape().get(0))) {
            throw new IllegalArgumentException("bias must be [" + weight.getShape().get(0) + "], got " + bias.getShape());
        }
        this.weight = addParameter(parameter("weight", Parameter.Type.WEIGHT, weight, trainable));
        this.bias = bias == null ? null : addParameter(parameter("bias", Parameter.Type.BIAS, bias, trainable));
    }

    /** A frozen layer over {@code weight} [out, in] and an optional {@code bias} [out]. */
    public static LinearLayer frozen(NDArray weight, NDArray bias) {
        return new LinearLayer(weight, bias, false);
    }

    /** A layer whose own weight and bias train (plain training without adapters, e.g. pretraining). */
    public static LinearLayer trainable(NDArray weight, NDArray bias) {
        return new LinearLayer(weight, bias, true);
    }

    static Parameter parameter(String name, Parameter.Type type, NDArray array, boolean trainable) {
        array.setRequiresGradient(trainable);
        return Parameter.builder().setName(name).setType(type).optArray(array).optRequiresGrad(trainable).build();
    }

    public long inFeatures() {
        return weight.getArray().getShape().get(1);
    }

    public long outFeatures() {
        return weight.getArray().getShape().get(0);
    }

    /** The base weight used in the forward pass (the residual after a pissa/milora init). */
    public NDArray weight() {
        return weight.getArray();
    }

    public NDArray bias() {
        return bias == null ? null : bias.getArray();
    }

    /** The weight before any residual init: W itself when the base is untouched. */
    public NDArray originalWeight() {
        return originalWeight != null ? originalWeight : weight.getArray();
    }

    public Adapter adapter() {
        return adapter;
    }

    public boolean isMerged() {
        return merged;
    }

    /**
     * Attaches {@code next} (replacing nothing: a layer holds at most one adapter). When
     * {@code residual} is non-null it replaces the base weight and the original is kept.
     */
    public void attach(Adapter next, NDArray residual) {
        if (adapter != null) {
            throw new IllegalStateException("layer already has a " + adapter.kind() + " adapter");
        }
        if (residual != null) {
            if (!residual.getShape().equals(weight.getArray().getShape())) {
                throw new IllegalArgumentException("residual " + residual.getShape() + " does not match weight "
                        + weight.getArray().getShape());
            }
            originalWeight = weight.getArray();
            residual.setRequiresGradient(false);
            replaceWeight(residual);
        }
        for (Parameter p : next.parameters()) {
            addParameter(p);
        }
        adapter = next;
    }

    /** Registers a parameter an attached adapter grows after attaching (DoRA's magnitude). */
    void addAdapterParameter(Parameter p) {
        addParameter(p);
    }

    /** Removes the adapter (unmerging first) and restores the original base weight. */
    public Adapter detach() {
        if (adapter == null) {
            return null;
        }
        if (merged) {
            unmerge();
        }
        for (Parameter p : adapter.parameters()) {
            parameters.remove(p.getName());
        }
        if (originalWeight != null) {
            replaceWeight(originalWeight);
            originalWeight = null;
        }
        Adapter removed = adapter;
        adapter = null;
        return removed;
    }

    /** W += delta: the forward pass then costs one plain GEMM. The delta is kept for {@link #unmerge}. */
    public void merge() {
        requireAdapter();
        if (!merged) {
            mergedDelta = EngineBridge.owned(adapter.deltaWeight(weight.getArray()));
            weight.getArray().addi(mergedDelta);
            merged = true;
        }
    }

    /** W -= the delta merged in, restoring the base to within float32 rounding. */
    public void unmerge() {
        requireAdapter();
        if (merged) {
            weight.getArray().subi(mergedDelta);
            mergedDelta.close();
            mergedDelta = null;
            merged = false;
        }
    }

    /** The weight the layer effectively applies: base + delta (or base when no adapter). */
    public NDArray effectiveWeight() {
        if (adapter == null || merged) {
            return weight.getArray().duplicate();
        }
        return weight.getArray().add(adapter.deltaWeight(weight.getArray()));
    }

    /** Trainable entries: the adapter's, or the layer's own when it trains without one. */
    public long trainableParameterCount() {
        if (adapter != null) {
            return adapter.trainableParameterCount();
        }
        return weight.requiresGradient() ? weight.getArray().size() + (bias == null ? 0 : bias.getArray().size()) : 0;
    }

    /** Applies the layer to x [..., in]. */
    public NDArray apply(NDArray x, boolean training) {
        if (adapter == null || merged) {
            return Linear.linear(x, weight.getArray(), bias()).singletonOrThrow();
        }
        return adapter.forward(x, weight.getArray(), bias(), training);
    }

    /**
     * The layer as it was before any adapter: the original weight (not a residual) and no delta.
     * With zero-initialised or residual adapters this is the step-0 policy, the reference of
     * a KL penalty.
     */
    public NDArray applyOriginal(NDArray x) {
        if (merged) {
            throw new IllegalStateException("the original layer is not available while the adapter is merged");
        }
        return Linear.linear(x, originalWeight(), bias()).singletonOrThrow();
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(apply(inputs.singletonOrThrow(), training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        return new Shape[] {in.slice(0, in.dimension() - 1).add(outFeatures())};
    }

    private void replaceWeight(NDArray array) {
        // Parameter.setArray refuses a second array, so the frozen weight parameter is rebuilt.
        Parameter replacement = parameter("weight", Parameter.Type.WEIGHT, array, weight.requiresGradient());
        parameters.put("weight", replacement);
        weight = replacement;
    }

    private void requireAdapter() {
        if (adapter == null) {
            throw new IllegalStateException("no adapter attached");
        }
    }
}
