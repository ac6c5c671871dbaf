package dev.oplora.train;

import com.fasterxml.jackson.annotation.JsonCreator;
import dev.oplora.config.ConfigName;
import dev.oplora.config.ConfigNames;

/** Config field {@code loss_type}, TRL's normalisations of the GRPO objective (see {@link GrpoLoss}):
 * {@code grpo} (per-sequence token mean), {@code dr_grpo} (token sum / (sequences x
 * max_completion_length)), {@code dapo} (token sum / completion tokens in the batch). */
public enum LossType implements ConfigName {
    GRPO, DR_GRPO, DAPO;

    @JsonCreator
    public static LossType parse(String value) {
        return ConfigNames.parse(LossType.class, "loss_type", value);
    }
}
