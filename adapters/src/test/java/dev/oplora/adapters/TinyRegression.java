package dev.oplora.adapters;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Two frozen linear layers with a tanh between them, fit by AdamW to a teacher whose weights
 * differ from the base: a small regression on which every adapter kind must reduce the loss.
 */
final class TinyRegression implements AutoCloseable {

    final NDManager manager = Engines.newManager();
    final Map<String, LinearLayer> layers = new LinkedHashMap<>();
    final NDArray x;
    final NDArray y;

    TinyRegression(long seed) {
        manager.getEngine().setRandomSeed((int) seed);
        NDArray w1 = manager.randomNormal(new Shape(24, 16)).mul(0.3f);
        NDArray w2 = manager.randomNormal(new Shape(12, 24)).mul(0.3f);
        layers.put("model.layers.0.mlp.up_proj", LinearLayer.frozen(w1, manager.randomNormal(new Shape(24)).mul(0.1f)));
        layers.put("model.layers.0.mlp.down_proj", LinearLayer.frozen(w2, null));
        x = manager.randomNormal(new Shape(128, 16));
        NDArray t1 = w1.add(manager.randomNormal(new Shape(24, 16)).mul(0.2f));
        NDArray t2 = w2.add(manager.randomNormal(new Shape(12, 24)).mul(0.2f));
        y = x.matMul(t1.transpose()).tanh().matMul(t2.transpose());
    }

    LinearLayer up() {
        return layers.get("model.layers.0.mlp.up_proj");
    }

    LinearLayer down() {
        return layers.get("model.layers.0.mlp.down_proj");
    }

    NDArray forward(NDArray input) {
        return down().apply(up().apply(input, true).tanh(), true);
    }

    float loss() {
        try (NDManager step = manager.newSubManager()) {
            NDArray in = x.duplicate();
            in.attach(step);
            return forward(in).sub(y).square().mean().getFloat();
        }
    }

    List<Parameter> trainable() {
        List<Parameter> out = new ArrayList<>();
        for (LinearLayer layer : layers.values()) {
            for (var pair : layer.getParameters()) {
                if (pair.getValue().requiresGradient()) {
                    out.add(pair.getValue());
                }
            }
        }
        return out;
    }

    /** Trains {@code steps} AdamW steps; {@code afterStep} runs after each optimizer update. */
    List<Float> train(int steps, float lr, Consumer<TinyRegression> afterStep) {
        Optimizer adamw = Optimizer.adamW().optLearningRateTracker(Tracker.fixed(lr)).optWeightDecays(0.01f).build();
        List<Float> losses = new ArrayList<>();
        for (int s = 0; s < steps; s++) {
            try (NDManager step = manager.newSubManager()) {
                try (GradientCollector collector = manager.getEngine().newGradientCollector()) {
                    NDArray loss = forward(x).sub(y).square().mean();
                    losses.add(loss.getFloat());
                    collector.backward(loss);
                }
                for (Parameter p : trainable()) {
                    NDArray grad = p.getArray().getGradient();
                    adamw.update(p.getId(), p.getArray(), grad);
                    grad.subi(grad);
                }
            }
            afterStep.accept(this);
        }
        return losses;
    }

    @Override
    public void close() {
        manager.close();
    }
}
