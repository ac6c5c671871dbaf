package dev.oplora.train;

import com.fasterxml.jackson.annotation.JsonCreator;
import dev.oplora.config.ConfigName;
import dev.oplora.config.ConfigNames;

/** Config field {@code scale_rewards}: divide advantages by the group's reward std ({@code group}),
 * the batch's ({@code batch}), or not at all ({@code none}), as TRL. */
public enum RewardScaling implements ConfigName {
    GROUP, BATCH, NONE;

    @JsonCreator
    public static RewardScaling parse(String value) {
        return ConfigNames.parse(RewardScaling.class, "scale_rewards", value);
    }
}
