package dev.oplora.train;

import com.fasterxml.jackson.annotation.JsonCreator;
import dev.oplora.config.ConfigName;
import dev.oplora.config.ConfigNames;

/** Config field {@code algo}: supervised fine-tuning ({@code sft}) or GRPO ({@code grpo}). */
public enum Algo implements ConfigName {
    SFT, GRPO;

    @JsonCreator
    public static Algo parse(String value) {
        return ConfigNames.parse(Algo.class, "algo", value);
    }
}
