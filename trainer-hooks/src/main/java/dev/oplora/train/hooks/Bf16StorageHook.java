package dev.oplora.train.hooks;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import dev.oplora.precision.Bf16;
import dev.oplora.train.TrainerHook;
import dev.oplora.train.TrainerState;

/**
 * Stores every trainable weight in bf16 after each step (round to nearest even, in Java), so
 * updates below half a bf16 ulp vanish as they do in a bf16 training run: the precision gate.
 */
public final class Bf16StorageHook implements TrainerHook {

    @Override
    public void onStart(TrainerState state) {
        round(state);
    }

    @Override
    public void afterOptimizerStep(TrainerState state) {
        round(state);
    }

    private static void round(TrainerState state) {
        for (Parameter p : state.trainable().values()) {
            NDArray a = p.getArray();
            float[] values = a.toFloatArray();
            Bf16.roundInPlace(values);
            a.set(values);
        }
    }
}
