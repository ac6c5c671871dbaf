package dev.oplora.train.hooks;

import dev.oplora.train.Trainer;
import dev.oplora.train.TrainerHook;
import dev.oplora.train.TrainerState;

/** Writes a checkpoint every {@code every} steps and at the end, keeping the newest {@code keep}. */
public final class CheckpointHook implements TrainerHook {

    private final Trainer trainer;
    private final int every;
    private final int keep;

    public CheckpointHook(Trainer trainer, int every, int keep) {
        if (every < 1 || keep < 1) {
            throw new IllegalArgumentException("save_steps and save_total_limit must be positive, got " + every + " and " + keep);
        }
        this.trainer = trainer;
        this.every = every;
        this.keep = keep;
    }

    @Override
    public void afterOptimizerStep(TrainerState state) {
        if (state.step() % every == 0) {
            trainer.checkpoint(keep);
        }
    }

    @Override
    public void onEnd(TrainerState state) {
        if (state.step() % every != 0 && state.stopReason() == null) {
            trainer.checkpoint(keep);
        }
    }
}
