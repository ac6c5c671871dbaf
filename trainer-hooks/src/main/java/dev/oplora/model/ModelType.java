package dev.oplora.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import dev.oplora.config.ConfigName;
import dev.oplora.config.ConfigNames;

/**
 * Config field {@code model_type}: the decoder families the policy model implements. They share
 * one architecture and differ in biases and normalisation: Qwen2 has q/k/v biases; Qwen3 has
 * none by default but normalises each head of q and k (RMSNorm over head_dim) before RoPE.
 */
public enum ModelType implements ConfigName {
    LLAMA, QWEN2, QWEN3;

    @JsonCreator
    public static ModelType parse(String value) {
        return ConfigNames.parse(ModelType.class, "model_type", value);
    }

    /** The class name Hugging Face writes in {@code architectures}. */
    public String architecture() {
        return switch (this) {
            case LLAMA -> "LlamaForCausalLM";
            case QWEN2 -> "Qwen2ForCausalLM";
            case QWEN3 -> "Qwen3ForCausalLM";
        };
    }
}
