package dev.oplora.train.hooks;

import ai.djl.nn.Parameter;
import dev.oplora.train.TrainerHook;
import dev.oplora.train.TrainerState;

/**
 * Stops the run before the optimizer applies a non-finite loss or gradient, naming the step and
 * the parameter, and pointing at the last good checkpoint.
 */
public final class NanGuard implements TrainerHook {

    @Override
    public void afterBackward(TrainerState state) {
        Double loss = state.stepMetrics().get("loss");
        if (loss != null && !Double.isFinite(loss)) {
            stop(state, "loss is " + loss);
            return;
        }
        for (var e : state.trainable().entrySet()) {
            Parameter p = e.getValue();
            float sum = p.getArray().getGradient().abs().sum().getFloat();
            if (!Float.isFinite(sum)) {
                stop(state, "gradient of '" + e.getKey() + "' is not finite");
                return;
            }
        }
    }

    private static void stop(TrainerState state, String what) {
        state.stop("step " + state.step() + ": " + what + "; parameters were not updated"
                + (state.lastCheckpoint() != null ? "; last good checkpoint: " + state.lastCheckpoint() : "; no checkpoint was written"));
    }
}
