package dev.oplora.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import dev.oplora.config.ConfigName;
import dev.oplora.config.ConfigNames;

/** Config field {@code model_type}: the decoder families the policy model implements. */
public enum ModelType implements ConfigName {
    LLAMA, QWEN2;

    @JsonCreator
    public static ModelType parse(String value) {
        return ConfigNames.parse(ModelType.class, "model_type", value);
    }

    /** The class name Hugging Face writes in {@code architectures}. */
    public String architecture() {
        return this == QWEN2 ? "Qwen2ForCausalLM" : "LlamaForCausalLM";
    }
}
