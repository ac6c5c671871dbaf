package dev.oplora.adapters.config;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.oplora.config.ConfigFiles;
import dev.oplora.config.FieldException;
import dev.oplora.files.AtomicFiles;
import dev.oplora.init.AdapterInit;
import dev.oplora.mask.MaskKind;
import dev.oplora.svd.SvdSolver;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What to inject and how, with PEFT's field names where PEFT has the field ({@code r},
 * {@code lora_alpha}, {@code use_rslora}, {@code lora_dropout}, {@code target_modules},
 * {@code exclude_modules}, {@code layers_to_transform}, {@code rank_pattern},
 * {@code alpha_pattern}, {@code init_lora_weights}, {@code use_dora}) and oplora's own beside them
 * ({@code adapter_type}, {@code principal_rank}, {@code projected}, {@code mask}, {@code density},
 * {@code seed}, {@code svd_solver}, {@code a0_norm}). A PEFT {@code adapter_config.json} reads
 * as is; PEFT fields oplora does not use are accepted and ignored; any other field is an error.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(value = {"base_model_name_or_path", "revision", "task_type", "inference_mode", "bias",
        "fan_in_fan_out", "modules_to_save", "layers_pattern", "loftq_config", "megatron_config",
        "megatron_core", "layer_replication", "runtime_config", "eva_config", "corda_config", "lora_bias",
        "auto_mapping", "trainable_token_indices", "target_parameters", "use_qalora", "qalora_group_size",
        "alora_invocation_tokens", "ensure_weight_tying", "arrow_config"}, allowGetters = false)
public record AdapterConfig(
        @JsonProperty("peft_type") PeftType peftType,
        @JsonProperty("adapter_type") AdapterType adapterType,
        @JsonProperty("r") Integer r,
        @JsonProperty("lora_alpha") Double loraAlpha,
        @JsonProperty("use_rslora") Boolean useRslora,
        @JsonProperty("lora_dropout") Double loraDropout,
        @JsonProperty("target_modules") TargetModules targetModules,
        @JsonProperty("exclude_modules") TargetModules excludeModules,
        @JsonProperty("layers_to_transform") List<Integer> layersToTransform,
        @JsonProperty("rank_pattern") Map<String, Integer> rankPattern,
        @JsonProperty("alpha_pattern") Map<String, Double> alphaPattern,
        @JsonProperty("init_lora_weights") AdapterInit initLoraWeights,
        @JsonProperty("principal_rank") Integer principalRank,
        @JsonProperty("projected") Boolean projected,
        @JsonProperty("mask") MaskKind mask,
        @JsonProperty("density") Double density,
        @JsonProperty("seed") Long seed,
        @JsonProperty("svd_solver") String svdSolver,
        @JsonProperty("use_dora") Boolean useDora,
        @JsonProperty("a0_norm") A0Norm a0Norm) {

    /** What {@link ConfigFiles} calls this kind of config in errors. */
    public static final String KIND = "adapter config";

    /** Fills PEFT's defaults (r 8, alpha 8, target all-linear) and validates every field. */
    public AdapterConfig {
        peftType = peftType == null ? PeftType.LORA : peftType;
        adapterType = adapterType == null ? AdapterType.LORA : adapterType;
        r = r == null ? 8 : r;
        loraAlpha = loraAlpha == null ? r.doubleValue() : loraAlpha;
        useRslora = useRslora != null && useRslora;
        loraDropout = loraDropout == null ? 0.0 : loraDropout;
        targetModules = targetModules == null ? TargetModules.allLinear() : targetModules;
        rankPattern = rankPattern == null ? Map.of() : Map.copyOf(rankPattern);
        alphaPattern = alphaPattern == null ? Map.of() : Map.copyOf(alphaPattern);
        initLoraWeights = initLoraWeights == null ? new AdapterInit.Lora(false) : initLoraWeights;
        principalRank = principalRank == null ? 0 : principalRank;
        projected = projected != null && projected;
        seed = seed == null ? 0L : seed;
        svdSolver = svdSolver == null ? "partial" : svdSolver;
        useDora = useDora != null && useDora;
        a0Norm = a0Norm == null ? A0Norm.ORTHONORMAL : a0Norm;
        validate(adapterType, r, loraAlpha, loraDropout, rankPattern, alphaPattern, principalRank, mask,
                density, svdSolver, seed);
        FieldException.require(!(projected && adapterType == AdapterType.LORA && (initLoraWeights instanceof AdapterInit.Pissa
                        || initLoraWeights instanceof AdapterInit.PissaNiter || initLoraWeights instanceof AdapterInit.OLora)),
                "projected", "keeps the update off the top-k singular subspace, but " + initLoraWeights.name()
                        + " starts the adapter on it (and its residual base assumes the unprojected start): "
                        + "choose another init_lora_weights or projected = false");
    }

    private static void validate(AdapterType adapterType, int r, double alpha, double dropout,
                                 Map<String, Integer> ranks, Map<String, Double> alphas, int principalRank,
                                 MaskKind mask, Double density, String svdSolver, long seed) {
        FieldException.require(r > 0, "r", "must be positive, got " + r);
        FieldException.require(alpha > 0 && Double.isFinite(alpha), "lora_alpha", "must be positive, got " + alpha);
        FieldException.require(dropout >= 0 && dropout < 1, "lora_dropout", "must be in [0, 1), got " + dropout);
        ranks.forEach((k, v) -> FieldException.require(v != null && v > 0, "rank_pattern",
                "'" + k + "' must map to a positive rank, got " + v));
        alphas.forEach((k, v) -> FieldException.require(v != null && v > 0, "alpha_pattern",
                "'" + k + "' must map to a positive alpha, got " + v));
        FieldException.require(principalRank >= 0, "principal_rank",
                "must be >= 0 (0 = min(64, min(m, n) / 4)), got " + principalRank);
        if (adapterType == AdapterType.SPARSE) {
            FieldException.require(mask != null, "mask", "is required for adapter_type \"sparse\": one of " + MaskKind.NAMES);
            FieldException.require(density != null && density > 0 && density <= 1, "density",
                    "must be in (0, 1] for a sparse adapter, got " + density);
        }
        try {
            SvdSolver.parse(svdSolver, seed);
        } catch (IllegalArgumentException e) {
            throw new FieldException("svd_solver", ": " + e.getMessage());
        }
    }

    /** The SVD solver the config names, seeded with its seed. */
    public SvdSolver solver() {
        return SvdSolver.parse(svdSolver, seed);
    }

    /** A LoRA-family config over {@code target} with rank r and alpha. */
    public static AdapterConfig lora(AdapterInit init, int r, double alpha, TargetModules target) {
        return builder().adapterType(AdapterType.LORA).r(r).loraAlpha(alpha).targetModules(target).initLoraWeights(init)
                .build();
    }

    /** A sparse config with the given mask kind and density. */
    public static AdapterConfig sparse(MaskKind mask, double density, TargetModules target) {
        return builder().adapterType(AdapterType.SPARSE).targetModules(target).mask(mask).density(density).build();
    }

    /** Full fine-tuning of the targeted modules. */
    public static AdapterConfig full(TargetModules target) {
        return builder().adapterType(AdapterType.FULL).targetModules(target).build();
    }

    public AdapterConfig withProjected(boolean value) {
        return toBuilder().projected(value).build();
    }

    public AdapterConfig withPrincipalRank(int k) {
        return toBuilder().principalRank(k).build();
    }

    public AdapterConfig withSeed(long value) {
        return toBuilder().seed(value).build();
    }

    /** This config with DoRA on or off. */
    public AdapterConfig withDora(boolean value) {
        return toBuilder().useDora(value).build();
    }

    /** This config with op-lora's A0 rows scaled as {@code value} says. */
    public AdapterConfig withA0Norm(A0Norm value) {
        return toBuilder().a0Norm(value).build();
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this config. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Typed changes to a config; {@link #build()} validates the result as a whole. */
    public static final class Builder {
        private PeftType peftType;
        private AdapterType adapterType;
        private Integer r;
        private Double loraAlpha;
        private Boolean useRslora;
        private Double loraDropout;
        private TargetModules targetModules;
        private TargetModules excludeModules;
        private List<Integer> layersToTransform;
        private Map<String, Integer> rankPattern;
        private Map<String, Double> alphaPattern;
        private AdapterInit initLoraWeights;
        private Integer principalRank;
        private Boolean projected;
        private MaskKind mask;
        private Double density;
        private Long seed;
        private String svdSolver;
        private Boolean useDora;
        private A0Norm a0Norm;

        private Builder() {
        }

        private Builder(AdapterConfig c) {
            peftType = c.peftType;
            adapterType = c.adapterType;
            r = c.r;
            loraAlpha = c.loraAlpha;
            useRslora = c.useRslora;
            loraDropout = c.loraDropout;
            targetModules = c.targetModules;
            excludeModules = c.excludeModules;
            layersToTransform = c.layersToTransform;
            rankPattern = c.rankPattern;
            alphaPattern = c.alphaPattern;
            initLoraWeights = c.initLoraWeights;
            principalRank = c.principalRank;
            projected = c.projected;
            mask = c.mask;
            density = c.density;
            seed = c.seed;
            svdSolver = c.svdSolver;
            useDora = c.useDora;
            a0Norm = c.a0Norm;
        }

        public AdapterConfig build() {
            return new AdapterConfig(peftType, adapterType, r, loraAlpha, useRslora, loraDropout, targetModules,
                    excludeModules, layersToTransform, rankPattern, alphaPattern, initLoraWeights, principalRank,
                    projected, mask, density, seed, svdSolver, useDora, a0Norm);
        }

        public Builder peftType(PeftType value) {
            peftType = value;
            return this;
        }

        public Builder adapterType(AdapterType value) {
            adapterType = value;
            return this;
        }

        public Builder r(Integer value) {
            r = value;
            return this;
        }

        public Builder loraAlpha(Double value) {
            loraAlpha = value;
            return this;
        }

        public Builder useRslora(Boolean value) {
            useRslora = value;
            return this;
        }

        public Builder loraDropout(Double value) {
            loraDropout = value;
            return this;
        }

        public Builder targetModules(TargetModules value) {
            targetModules = value;
            return this;
        }

        public Builder excludeModules(TargetModules value) {
            excludeModules = value;
            return this;
        }

        public Builder layersToTransform(List<Integer> value) {
            layersToTransform = value;
            return this;
        }

        public Builder rankPattern(Map<String, Integer> value) {
            rankPattern = value;
            return this;
        }

        public Builder alphaPattern(Map<String, Double> value) {
            alphaPattern = value;
            return this;
        }

        public Builder initLoraWeights(AdapterInit value) {
            initLoraWeights = value;
            return this;
        }

        public Builder principalRank(Integer value) {
            principalRank = value;
            return this;
        }

        public Builder projected(Boolean value) {
            projected = value;
            return this;
        }

        public Builder mask(MaskKind value) {
            mask = value;
            return this;
        }

        public Builder density(Double value) {
            density = value;
            return this;
        }

        public Builder seed(Long value) {
            seed = value;
            return this;
        }

        public Builder svdSolver(String value) {
            svdSolver = value;
            return this;
        }

        public Builder useDora(Boolean value) {
            useDora = value;
            return this;
        }

        public Builder a0Norm(A0Norm value) {
            a0Norm = value;
            return this;
        }
    }

    /** Reads a config file; errors name the file and the field. */
    public static AdapterConfig read(Path file) throws IOException {
        return ConfigFiles.read(file, AdapterConfig.class, KIND);
    }

    /** Parses config JSON text (same rules as {@link #read}). */
    public static AdapterConfig parse(String json) {
        return ConfigFiles.parse(json, AdapterConfig.class, KIND);
    }

    /** Writes the config as JSON, atomically. */
    public void write(Path file) throws IOException {
        AtomicFiles.writeJson(file, this);
    }

    /** JSON text of the config. */
    public String toJson() {
        return ConfigFiles.toJson(this);
    }
}
