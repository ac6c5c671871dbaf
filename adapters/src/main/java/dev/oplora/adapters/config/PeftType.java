package dev.oplora.adapters.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import dev.oplora.config.ConfigName;
import dev.oplora.config.ConfigNames;

/** Config field {@code peft_type}, spelled as PEFT writes it; oplora's adapter files are LoRA files. */
public enum PeftType implements ConfigName {
    LORA;

    @Override
    public String configName() {
        return name();
    }

    @JsonCreator
    public static PeftType parse(String value) {
        return ConfigNames.parse(PeftType.class, "peft_type", value);
    }
}
