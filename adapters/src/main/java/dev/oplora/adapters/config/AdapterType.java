package dev.oplora.adapters.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import dev.oplora.config.ConfigName;
import dev.oplora.config.ConfigNames;

/** Config field {@code adapter_type}: a low-rank adapter ({@code lora}), a fixed-mask sparse delta ({@code sparse}) or a dense delta ({@code full}). */
public enum AdapterType implements ConfigName {
    LORA, SPARSE, FULL;

    @JsonCreator
    public static AdapterType parse(String value) {
        return ConfigNames.parse(AdapterType.class, "adapter_type", value);
    }
}
