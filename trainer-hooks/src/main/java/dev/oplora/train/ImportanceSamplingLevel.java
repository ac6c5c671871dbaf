package dev.oplora.train;

import com.fasterxml.jackson.annotation.JsonCreator;
import dev.oplora.config.ConfigName;
import dev.oplora.config.ConfigNames;

/**
 * Config field {@code importance_sampling_level}, as TRL: one ratio per token ({@code token}),
 * or one per sequence from the mean token log-ratio ({@code sequence}, GSPO).
 */
public enum ImportanceSamplingLevel implements ConfigName {
    TOKEN, SEQUENCE;

    @JsonCreator
    public static ImportanceSamplingLevel parse(String value) {
        return ConfigNames.parse(ImportanceSamplingLevel.class, "importance_sampling_level", value);
    }
}
