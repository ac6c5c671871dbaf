package dev.oplora.adapters.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import dev.oplora.config.ConfigName;
import dev.oplora.config.ConfigNames;

/**
 * Config field {@code a0_norm}: the length of op-lora's (and op-lora-minor's) starting A rows.
 * {@code orthonormal}: unit rows. {@code kaiming}: rows rescaled to the expected row norm of
 * LoRA's kaiming-uniform A (bound 1/sqrt(in), so E|row|^2 = 1/3), so that op-lora differs from
 * lora in direction only and B's first gradients have the same scale.
 */
public enum A0Norm implements ConfigName {
    ORTHONORMAL, KAIMING;

    /** The factor on unit rows: 1, or 1/sqrt(3). */
    public double rowScale() {
        return this == KAIMING ? 1 / Math.sqrt(3) : 1;
    }

    @JsonCreator
    public static A0Norm parse(String value) {
        return ConfigNames.parse(A0Norm.class, "a0_norm", value);
    }
}
