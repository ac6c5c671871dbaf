package dev.oplora.train;

import com.fasterxml.jackson.annotation.JsonCreator;
import dev.oplora.config.ConfigName;
import dev.oplora.config.ConfigNames;

/** Config field {@code lr_scheduler_type}: constant or cosine decay after the warmup. */
public enum LrSchedulerType implements ConfigName {
    CONSTANT, COSINE;

    @JsonCreator
    public static LrSchedulerType parse(String value) {
        return ConfigNames.parse(LrSchedulerType.class, "lr_scheduler_type", value);
    }
}
