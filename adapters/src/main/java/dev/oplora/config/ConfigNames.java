package dev.oplora.config;

import java.util.Arrays;
import java.util.List;

/** Lookup of {@link ConfigName} enums by their config spelling, with errors that name the field. */
public final class ConfigNames {

    private ConfigNames() {
    }

    /** The spellings of every constant, in declaration order. */
    public static <E extends Enum<E> & ConfigName> List<String> names(Class<E> type) {
        return Arrays.stream(type.getEnumConstants()).map(ConfigName::configName).toList();
    }

    /**
     * The constant spelled {@code value} (case and surrounding blanks ignored); otherwise a
     * {@link FieldException} for {@code field} listing the accepted spellings.
     */
    public static <E extends Enum<E> & ConfigName> E parse(Class<E> type, String field, String value) {
        String key = value == null ? "" : value.trim();
        for (E constant : type.getEnumConstants()) {
            if (constant.configName().equalsIgnoreCase(key)) {
                return constant;
            }
        }
        throw new FieldException(field, "must be one of " + names(type) + ", got \"" + value + "\"");
    }
}
