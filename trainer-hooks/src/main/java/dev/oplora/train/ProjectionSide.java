package dev.oplora.train;

import com.fasterxml.jackson.annotation.JsonCreator;
import dev.oplora.config.ConfigName;
import dev.oplora.config.ConfigNames;

/** Config field {@code projection_on}: where the {@code projected} option removes principal
 * components: from the parameters after each optimizer step ({@code parameters}, the default,
 * since Adam's per-entry scaling moves a projected gradient back), or from the gradients before it. */
public enum ProjectionSide implements ConfigName {
    PARAMETERS, GRADIENTS;

    @JsonCreator
    public static ProjectionSide parse(String value) {
        return ConfigNames.parse(ProjectionSide.class, "projection_on", value);
    }
}
