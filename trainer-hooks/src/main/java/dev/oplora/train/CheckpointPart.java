package dev.oplora.train;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Something that carries state from one step to the next beyond the trainable parameters,
 * optimizer moments, RNG and step (which {@link Checkpoints} saves itself): a GRPO rollout
 * reused for num_iterations steps, a hook's step-0 reference, a log that must be cut back.
 * Checkpoints write every part into the folder before it is renamed into place, and a resumed
 * run restores every part, so the run continues as if it had not stopped.
 */
public interface CheckpointPart {

    /** Writes this part's state into the checkpoint folder being built. */
    default void saveState(TrainerState state, Path checkpoint) throws IOException {
    }

    /** Restores this part from a checkpoint; {@code state} already holds the checkpoint's step. */
    default void restoreState(TrainerState state, Path checkpoint) throws IOException {
    }
}
