package dev.oplora.train;

import com.fasterxml.jackson.annotation.JsonCreator;
import dev.oplora.config.ConfigName;
import dev.oplora.config.ConfigNames;

/**
 * Config field {@code loss_type}: TRL's objectives (see {@link GrpoLoss}). The clipped ratio
 * objective with its normalisations: {@code grpo} (per-sequence token mean, then mean),
 * {@code bnpo} (token mean over the batch), {@code dr_grpo} (token sum / (sequences x
 * max_completion_length)), {@code dapo} (token sum / completion tokens of the generation batch);
 * {@code cispo} (clipped, detached importance weight times the log-prob, MiniMax-M1) and
 * {@code sapo} (sigmoid-gated soft trust region, per-sequence token mean).
 */
public enum LossType implements ConfigName {
    GRPO, BNPO, DR_GRPO, DAPO, CISPO, SAPO;

    /** Whether the objective clips the ratio to [1 - epsilon, 1 + epsilon_high] (and logs the clip_ratio metrics). */
    public boolean clipsRatio() {
        return this == GRPO || this == BNPO || this == DR_GRPO || this == DAPO;
    }

    @JsonCreator
    public static LossType parse(String value) {
        return ConfigNames.parse(LossType.class, "loss_type", value);
    }
}
