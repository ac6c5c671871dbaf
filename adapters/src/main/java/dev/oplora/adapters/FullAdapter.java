package dev.oplora.adapters;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import java.util.List;

/**
 * Full fine-tuning expressed as a dense delta over the frozen base: y = x (W + D)^T + b. Keeping
 * W frozen makes "adapter off" the reference policy for every kind alike.
 */
public final class FullAdapter implements Adapter {

    private final Parameter delta;

    FullAdapter(NDArray delta) {
        this.delta = LinearLayer.parameter("delta", Parameter.Type.WEIGHT, delta, true);
    }

    /** Attaches a zero delta. */
    public static FullAdapter attach(LinearLayer layer) {
        FullAdapter adapter = new FullAdapter(layer.weight().getManager().zeros(layer.weight().getShape(), DataType.FLOAT32));
        layer.attach(adapter, null);
        return adapter;
    }

    @Override
    public String kind() {
        return "full";
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(delta);
    }

    @Override
    public NDArray forward(NDArray x, NDArray baseWeight, NDArray bias, boolean training) {
        return Linear.linear(x, baseWeight.add(delta.getArray()), bias).singletonOrThrow();
    }

    @Override
    public NDArray deltaWeight(NDArray baseWeight) {
        return delta.getArray().duplicate();
    }

    @Override
    public long trainableParameterCount() {
        return delta.getArray().size();
    }
}
