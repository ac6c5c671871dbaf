package dev.oplora.adapters.config;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import dev.oplora.init.AdapterInit;
import dev.oplora.mask.MaskKind;
import dev.oplora.files.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What to inject and how, with PEFT's field names where PEFT has the field ({@code r},
 * {@code lora_alpha}, {@code use_rslora}, {@code lora_dropout}, {@code target_modules},
 * {@code exclude_modules}, {@code layers_to_transform}, {@code rank_pattern},
 * {@code alpha_pattern}, {@code init_lora_weights}) and oplora's own beside them
 * ({@code adapter_type}, {@code principal_rank}, {@code projected}, {@code mask},
 * {@code density}, {@code seed}, {@code svd_solver}). A PEFT {@code adapter_config.json} reads
 * as is; PEFT fields oplora does not use are accepted and ignored; any other field is an error.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(value = {"base_model_name_or_path", "revision", "task_type", "inference_mode", "bias",
        "fan_in_fan_out", "modules_to_save", "layers_pattern", "use_dora", "loftq_config", "megatron_config",
        "megatron_core", "layer_replication", "runtime_config", "eva_config", "corda_config", "lora_bias",
        "auto_mapping", "trainable_token_indices", "target_parameters", "use_qalora", "qalora_group_size",
        "alora_invocation_tokens", "ensure_weight_tying", "arrow_config"}, allowGetters = false)
public record AdapterConfig(
        @JsonProperty("peft_type") String peftType,
        @JsonProperty("adapter_type") String adapterType,
        @JsonProperty("r") Integer r,
        @JsonProperty("lora_alpha") Double loraAlpha,
        @JsonProperty("use_rslora") Boolean useRslora,
        @JsonProperty("lora_dropout") Double loraDropout,
        @JsonProperty("target_modules") TargetModules targetModules,
        @JsonProperty("exclude_modules") TargetModules excludeModules,
        @JsonProperty("layers_to_transform") List<Integer> layersToTransform,
        @JsonProperty("rank_pattern") Map<String, Integer> rankPattern,
        @JsonProperty("alpha_pattern") Map<String, Double> alphaPattern,
        @JsonProperty("init_lora_weights") String initLoraWeights,
        @JsonProperty("principal_rank") Integer principalRank,
        @JsonProperty("projected") Boolean projected,
        @JsonProperty("mask") String mask,
        @JsonProperty("density") Double density,
        @JsonProperty("seed") Long seed,
        @JsonProperty("svd_solver") String svdSolver) {

    /** The adapter kinds a config can ask for. */
    public static final List<String> ADAPTER_TYPES = List.of("lora", "sparse", "full");

    static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
            .enable(SerializationFeature.INDENT_OUTPUT);

    /** Fills PEFT's defaults (r 8, alpha 8, target all-linear) and validates every field. */
    public AdapterConfig {
        peftType = peftType == null ? "LORA" : peftType;
        adapterType = adapterType == null ? "lora" : adapterType.toLowerCase(Locale.ROOT);
        r = r == null ? 8 : r;
        loraAlpha = loraAlpha == null ? r.doubleValue() : loraAlpha;
        useRslora = useRslora != null && useRslora;
        loraDropout = loraDropout == null ? 0.0 : loraDropout;
        targetModules = targetModules == null ? TargetModules.allLinear() : targetModules;
        rankPattern = rankPattern == null ? Map.of() : Map.copyOf(rankPattern);
        alphaPattern = alphaPattern == null ? Map.of() : Map.copyOf(alphaPattern);
        initLoraWeights = initLoraWeights == null ? "lora" : initLoraWeights;
        principalRank = principalRank == null ? 0 : principalRank;
        projected = projected != null && projected;
        seed = seed == null ? 0L : seed;
        svdSolver = svdSolver == null ? "partial" : svdSolver;
        validate(peftType, adapterType, r, loraAlpha, loraDropout, rankPattern, alphaPattern, initLoraWeights,
                principalRank, mask, density);
    }

    private static void validate(String peftType, String adapterType, int r, double alpha, double dropout,
                                 Map<String, Integer> ranks, Map<String, Double> alphas, String init, int principalRank,
                                 String mask, Double density) {
        require(peftType.equals("LORA"), "peft_type", "must be \"LORA\", got \"" + peftType + "\"");
        require(ADAPTER_TYPES.contains(adapterType), "adapter_type", "must be one of " + ADAPTER_TYPES + ", got \"" + adapterType + "\"");
        require(r > 0, "r", "must be positive, got " + r);
        require(alpha > 0 && Double.isFinite(alpha), "lora_alpha", "must be positive, got " + alpha);
        require(dropout >= 0 && dropout < 1, "lora_dropout", "must be in [0, 1), got " + dropout);
        ranks.forEach((k, v) -> require(v != null && v > 0, "rank_pattern", "'" + k + "' must map to a positive rank, got " + v));
        alphas.forEach((k, v) -> require(v != null && v > 0, "alpha_pattern", "'" + k + "' must map to a positive alpha, got " + v));
        try {
            AdapterInit.parse(init);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("adapter config field 'init_lora_weights': " + e.getMessage());
        }
        require(principalRank >= 0, "principal_rank", "must be >= 0 (0 = min(64, min(m, n) / 4)), got " + principalRank);
        if (adapterType.equals("sparse")) {
            require(mask != null, "mask", "is required for adapter_type \"sparse\": one of " + MaskKind.NAMES);
            try {
                MaskKind.parse(mask);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("adapter config field 'mask': " + e.getMessage());
            }
            require(density != null && density > 0 && density <= 1, "density", "must be in (0, 1] for a sparse adapter, got " + density);
        }
    }

    private static void require(boolean ok, String field, String message) {
        if (!ok) {
            throw new IllegalArgumentException("adapter config field '" + field + "' " + message);
        }
    }

    /** A LoRA-family config over {@code target} with rank r and alpha. */
    public static AdapterConfig lora(String init, int r, double alpha, TargetModules target) {
        return new AdapterConfig(null, "lora", r, alpha, null, null, target, null, null, null, null, init,
                null, null, null, null, null, null);
    }

    /** A sparse config with the given mask kind and density. */
    public static AdapterConfig sparse(String mask, double density, TargetModules target) {
        return new AdapterConfig(null, "sparse", null, null, null, null, target, null, null, null, null, null,
                null, null, mask, density, null, null);
    }

    /** Full fine-tuning of the targeted modules. */
    public static AdapterConfig full(TargetModules target) {
        return new AdapterConfig(null, "full", null, null, null, null, target, null, null, null, null, null,
                null, null, null, null, null, null);
    }

    public AdapterConfig withProjected(boolean value) {
        return new AdapterConfig(peftType, adapterType, r, loraAlpha, useRslora, loraDropout, targetModules,
                excludeModules, layersToTransform, rankPattern, alphaPattern, initLoraWeights, principalRank, value,
                mask, density, seed, svdSolver);
    }

    public AdapterConfig withPrincipalRank(int k) {
        return new AdapterConfig(peftType, adapterType, r, loraAlpha, useRslora, loraDropout, targetModules,
                excludeModules, layersToTransform, rankPattern, alphaPattern, initLoraWeights, k, projected,
                mask, density, seed, svdSolver);
    }

    public AdapterConfig withSeed(long value) {
        return new AdapterConfig(peftType, adapterType, r, loraAlpha, useRslora, loraDropout, targetModules,
                excludeModules, layersToTransform, rankPattern, alphaPattern, initLoraWeights, principalRank, projected,
                mask, density, value, svdSolver);
    }

    /** Reads a config file; errors name the file and the field. */
    public static AdapterConfig read(Path file) throws IOException {
        try {
            return JSON.readValue(Files.readAllBytes(file), AdapterConfig.class);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "adapter config not found");
        } catch (UnrecognizedPropertyException e) {
            throw new IllegalArgumentException(file + ": unknown adapter config field '" + e.getPropertyName() + "'");
        } catch (ValueInstantiationException e) {
            throw new IllegalArgumentException(file + ": " + rootMessage(e), e);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(file + ": " + e.getOriginalMessage(), e);
        }
    }

    /** Parses config JSON text (same rules as {@link #read}). */
    public static AdapterConfig parse(String json) {
        try {
            return JSON.readValue(json, AdapterConfig.class);
        } catch (UnrecognizedPropertyException e) {
            throw new IllegalArgumentException("unknown adapter config field '" + e.getPropertyName() + "'");
        } catch (ValueInstantiationException e) {
            throw new IllegalArgumentException(rootMessage(e), e);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e.getOriginalMessage(), e);
        }
    }

    /** Writes the config as JSON, atomically. */
    public void write(Path file) throws IOException {
        AtomicFiles.writeJson(file, this);
    }

    /** JSON text of the config. */
    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage();
    }
}
