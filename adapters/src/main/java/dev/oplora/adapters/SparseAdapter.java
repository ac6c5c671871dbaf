package dev.oplora.adapters;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import dev.oplora.mask.Mask;
import dev.oplora.mask.MaskKind;
import dev.oplora.mask.MaskOptions;
import java.util.List;

/**
 * Sparse fine-tuning over a fixed mask M: y = x (W + M * D)^T + b. D is dense but only its
 * masked entries reach the output, so the gradient of every other entry is exactly zero and,
 * starting from zero, they stay zero under Adam and decoupled weight decay alike.
 */
public final class SparseAdapter implements Adapter {

    private final Parameter delta;
    private final NDArray mask;
    private final Mask entries;
    private final MaskKind maskKind;

    SparseAdapter(NDArray delta, NDArray mask, Mask entries, MaskKind maskKind) {
        this.delta = LinearLayer.parameter("delta", Parameter.Type.WEIGHT, delta, true);
        this.mask = mask;
        this.entries = entries;
        this.maskKind = maskKind;
    }

    /** Builds the mask on the layer's weight (through {@link EngineBridge}) and attaches a zero delta. */
    public static SparseAdapter attach(LinearLayer layer, MaskKind kind, MaskOptions options) {
        return attach(layer, EngineBridge.mask(layer, kind, options), kind);
    }

    /** Attaches a zero delta over {@code entries}, a mask of kind {@code maskKind} on the layer's weight. */
    public static SparseAdapter attach(LinearLayer layer, Mask entries, MaskKind maskKind) {
        if (entries.rows() != layer.outFeatures() || entries.cols() != layer.inFeatures()) {
            throw new IllegalArgumentException("mask " + entries.rows() + "x" + entries.cols() + " does not fit a "
                    + layer.outFeatures() + "x" + layer.inFeatures() + " weight");
        }
        NDManager manager = layer.weight().getManager();
        NDArray delta = manager.zeros(layer.weight().getShape(), DataType.FLOAT32);
        SparseAdapter adapter = new SparseAdapter(delta, EngineBridge.maskArray(entries, manager), entries, maskKind);
        layer.attach(adapter, null);
        return adapter;
    }

    @Override
    public String kind() {
        return "sparse";
    }

    public MaskKind maskKind() {
        return maskKind;
    }

    public Mask mask() {
        return entries;
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(delta);
    }

    @Override
    public NDArray forward(NDArray x, NDArray baseWeight, NDArray bias, boolean training) {
        return Linear.linear(x, baseWeight.add(delta.getArray().mul(mask)), bias).singletonOrThrow();
    }

    @Override
    public NDArray deltaWeight(NDArray baseWeight) {
        return delta.getArray().mul(mask);
    }

    @Override
    public long trainableParameterCount() {
        return entries.count();
    }
}
