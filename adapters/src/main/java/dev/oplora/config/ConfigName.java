package dev.oplora.config;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * A member of a closed set of settings (an enum constant) with the exact spelling configs and
 * the command line use for it, e.g. {@code dr_grpo}. Jackson writes that spelling; each enum
 * reads it back through {@link ConfigNames#parse}.
 */
public interface ConfigName {

    /** The spelling in configs, JSON files and on the command line: the constant's name in lower case. */
    @JsonValue
    default String configName() {
        return ((Enum<?>) this).name().toLowerCase(Locale.ROOT);
    }
}
