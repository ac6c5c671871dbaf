package dev.oplora.train.hooks;

import dev.oplora.adapters.LinearLayer;
import dev.oplora.adapters.LoraAdapter;
import dev.oplora.train.TrainerHook;
import dev.oplora.train.TrainerState;

/**
 * The {@code projected} option at work: keeps every projected LoRA adapter off its layer's
 * principal subspaces, on the gradients (after backward) or on the parameters (after the step;
 * the default, because Adam's per-entry scaling moves a projected gradient back into them).
 */
public record ProjectionHook(boolean onGradients) implements TrainerHook {

    @Override
    public void afterBackward(TrainerState state) {
        if (onGradients) {
            each(state, LoraAdapter::projectGradients);
        }
    }

    @Override
    public void afterOptimizerStep(TrainerState state) {
        if (!onGradients) {
            each(state, LoraAdapter::projectParameters);
        }
    }

    private static void each(TrainerState state, java.util.function.Consumer<LoraAdapter> action) {
        if (state.adapters == null) {
            return;
        }
        for (LinearLayer layer : state.adapters.layers().values()) {
            if (layer.adapter() instanceof LoraAdapter lora && lora.projection() != null) {
                action.accept(lora);
            }
        }
    }
}
