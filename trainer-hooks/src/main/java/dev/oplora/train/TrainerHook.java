package dev.oplora.train;

import java.nio.file.Path;
import java.util.Map;

/**
 * What both loops call, in this order every step: {@link #afterBackward} (gradients present,
 * before clipping and the optimizer), {@link #afterOptimizerStep}; then, when due,
 * {@link #onLog}, {@link #onEval}, {@link #onCheckpoint}. {@link #onStart} and {@link #onEnd}
 * bracket the run. Adapters and diagnostics plug in here; a hook with state that outlives a step
 * saves and restores it through {@link CheckpointPart}.
 */
public interface TrainerHook extends CheckpointPart {

    default void onStart(TrainerState state) {
    }

    default void afterBackward(TrainerState state) {
    }

    default void afterOptimizerStep(TrainerState state) {
    }

    default void onLog(TrainerState state, Map<String, Double> metrics) {
    }

    default void onEval(TrainerState state, Map<String, Double> metrics) {
    }

    default void onCheckpoint(TrainerState state, Path checkpoint) {
    }

    default void onEnd(TrainerState state) {
    }
}
