package dev.oplora.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.oplora.config.ConfigFiles;
import dev.oplora.config.FieldException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A Llama / Qwen2 / Qwen3 {@code config.json}, read exactly: every field of a real release is
 * either implemented (the components below), known to be harmless ({@link #HARMLESS}: metadata
 * and settings that do not change the model's function), or an error naming it. Values the
 * model cannot honour are errors too ({@code hidden_act} other than silu, sliding-window
 * attention switched on, partial rotary, a rope scaling type it does not implement).
 *
 * @param eosTokenId the end-of-sequence id or ids (Llama 3 writes a list)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ModelConfig(
        @JsonProperty("model_type") ModelType modelType,
        @JsonProperty("hidden_size") int hiddenSize,
        @JsonProperty("intermediate_size") int intermediateSize,
        @JsonProperty("num_attention_heads") int numAttentionHeads,
        @JsonProperty("num_key_value_heads") Integer numKeyValueHeads,
        @JsonProperty("num_hidden_layers") int numHiddenLayers,
        @JsonProperty("vocab_size") int vocabSize,
        @JsonProperty("rms_norm_eps") double rmsNormEps,
        @JsonProperty("rope_theta") double ropeTheta,
        @JsonProperty("max_position_embeddings") int maxPositionEmbeddings,
        @JsonProperty("tie_word_embeddings") boolean tieWordEmbeddings,
        @JsonProperty("attention_bias") Boolean attentionBias,
        @JsonProperty("head_dim") Integer headDim,
        @JsonProperty("bos_token_id") Integer bosTokenId,
        @JsonProperty("eos_token_id") List<Integer> eosTokenId,
        @JsonProperty("pad_token_id") Integer padTokenId,
        @JsonProperty("rope_scaling") RopeScaling ropeScaling,
        @JsonProperty("hidden_act") String hiddenAct,
        @JsonProperty("mlp_bias") Boolean mlpBias,
        @JsonProperty("use_sliding_window") Boolean useSlidingWindow,
        @JsonProperty("sliding_window") Integer slidingWindow,
        @JsonProperty("max_window_layers") Integer maxWindowLayers,
        @JsonProperty("partial_rotary_factor") Double partialRotaryFactor,
        @JsonProperty("layer_types") List<String> layerTypes) {

    /** What {@link ConfigFiles} calls this kind of config in errors. */
    public static final String KIND = "model config";

    /**
     * Fields that do not change what the model computes, with why: file metadata, training-time
     * settings of the original run, and inference switches oplora decides itself.
     */
    public static final Map<String, String> HARMLESS = Map.ofEntries(
            Map.entry("architectures", "the class name transformers instantiates; model_type decides here"),
            Map.entry("torch_dtype", "the storage dtype; the safetensors headers give each tensor's"),
            Map.entry("dtype", "the storage dtype (newer transformers' name for torch_dtype)"),
            Map.entry("transformers_version", "the version that wrote the file"),
            Map.entry("_name_or_path", "where the file came from"),
            Map.entry("initializer_range", "the std of the original random init"),
            Map.entry("use_cache", "generation here always uses its KV cache"),
            Map.entry("pretraining_tp", "tensor-parallel slicing of the original run; the same function"),
            Map.entry("attention_dropout", "0 in every release; a non-zero value is an error"));

    public ModelConfig {
        modelType = modelType == null ? ModelType.LLAMA : modelType;
        numKeyValueHeads = numKeyValueHeads == null ? numAttentionHeads : numKeyValueHeads;
        eosTokenId = eosTokenId == null ? List.of() : List.copyOf(eosTokenId);
        hiddenAct = hiddenAct == null ? "silu" : hiddenAct;
        require(hiddenSize > 0, "hidden_size", "must be positive");
        require(intermediateSize > 0, "intermediate_size", "must be positive");
        require(numAttentionHeads > 0 && numKeyValueHeads > 0 && numAttentionHeads % numKeyValueHeads == 0,
                "num_key_value_heads", "must divide num_attention_heads (" + numAttentionHeads + "), got " + numKeyValueHeads);
        require(headDim != null || hiddenSize % numAttentionHeads == 0, "hidden_size",
                "must be a multiple of num_attention_heads when head_dim is absent");
        require(numHiddenLayers > 0, "num_hidden_layers", "must be positive");
        require(vocabSize > 0, "vocab_size", "must be positive");
        require(rmsNormEps > 0, "rms_norm_eps", "must be positive");
        require(ropeTheta > 0, "rope_theta", "must be positive");
        require(maxPositionEmbeddings > 0, "max_position_embeddings", "must be positive");
        int head = headDim != null ? headDim : hiddenSize / numAttentionHeads;
        require(head % 2 == 0, "head_dim", "must be even for rotary embeddings, got " + head);
        require(hiddenAct.equals("silu") || hiddenAct.equals("swiglu"), "hidden_act",
                "\"" + hiddenAct + "\" is not implemented (the MLP is SwiGLU: silu)");
        require(!Boolean.TRUE.equals(useSlidingWindow), "use_sliding_window",
                "true is not implemented (sliding-window attention); only full attention is");
        require(partialRotaryFactor == null || partialRotaryFactor == 1.0, "partial_rotary_factor",
                partialRotaryFactor + " is not implemented (rotary embeddings over the whole head only)");
        require(layerTypes == null || layerTypes.stream().allMatch("full_attention"::equals), "layer_types",
                layerTypes + ": only full_attention layers are implemented");
    }

    private static void require(boolean ok, String field, String message) {
        FieldException.require(ok, field, message);
    }

    /** A small Llama-style config. */
    public static ModelConfig llama(int vocab, int hidden, int intermediate, int layers, int heads, int kvHeads, int context) {
        return of(ModelType.LLAMA, vocab, hidden, intermediate, layers, heads, kvHeads, context, 10000.0, false);
    }

    /** A small config of any type, rope theta {@code theta}, optionally with tied embeddings. */
    public static ModelConfig of(ModelType type, int vocab, int hidden, int intermediate, int layers, int heads, int kvHeads,
                                 int context, double theta, boolean tied) {
        return new ModelConfig(type, hidden, intermediate, heads, kvHeads, layers, vocab, 1e-6, theta, context, tied,
                type == ModelType.LLAMA ? false : null, null, null, null, null, null, null, null, null, null, null, null, null);
    }

    /** Dimension of one attention head. */
    public int headDimension() {
        return headDim != null ? headDim : hiddenSize / numAttentionHeads;
    }

    /** Bias on q, k and v: Qwen2 always, Llama and Qwen3 when attention_bias is set. */
    public boolean qkvBias() {
        return modelType == ModelType.QWEN2 || Boolean.TRUE.equals(attentionBias);
    }

    /** Bias on o_proj: Llama and Qwen3 with attention_bias (Qwen2 never). */
    public boolean outputBias() {
        return modelType != ModelType.QWEN2 && Boolean.TRUE.equals(attentionBias);
    }

    /** Per-head RMSNorm of q and k before RoPE (Qwen3). */
    public boolean queryKeyNorm() {
        return modelType == ModelType.QWEN3;
    }

    /** Biases on gate, up and down projections (Llama's mlp_bias). */
    public boolean mlpBiases() {
        return Boolean.TRUE.equals(mlpBias);
    }

    /** The rotary inverse frequencies with any rope_scaling applied. */
    public double[] inverseFrequencies() {
        return RopeScaling.inverseFrequencies(ropeTheta, headDimension(), ropeScaling);
    }

    /** The first end-of-sequence id, or null. */
    public Integer eosId() {
        return eosTokenId.isEmpty() ? null : eosTokenId.get(0);
    }

    public ModelConfig withTokens(Integer bos, Integer eos, Integer pad) {
        return new ModelConfig(modelType, hiddenSize, intermediateSize, numAttentionHeads, numKeyValueHeads,
                numHiddenLayers, vocabSize, rmsNormEps, ropeTheta, maxPositionEmbeddings, tieWordEmbeddings,
                attentionBias, headDim, bos, eos == null ? null : List.of(eos), pad, ropeScaling, hiddenAct, mlpBias,
                useSlidingWindow, slidingWindow, maxWindowLayers, partialRotaryFactor, layerTypes);
    }

    /**
     * Reads {@code config.json}: every field checked against what is implemented and
     * {@link #HARMLESS}; anything else is an error naming the file and the field.
     */
    public static ModelConfig read(Path file) throws IOException {
        ObjectNode raw = ConfigFiles.readObject(file, KIND);
        ObjectNode bound = raw.deepCopy();
        Set<String> implemented = implementedFields();
        for (Iterator<String> names = raw.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (implemented.contains(name)) {
                continue;
            }
            if (!HARMLESS.containsKey(name)) {
                throw new IllegalArgumentException(file + ": model config field '" + name + "' is not understood by oplora "
                        + "(it implements " + implemented + "; known harmless: " + HARMLESS.keySet() + ")");
            }
            if (name.equals("attention_dropout") && raw.path(name).asDouble() != 0) {
                throw new IllegalArgumentException(file + ": model config field 'attention_dropout' = "
                        + raw.path(name) + " is not implemented (attention dropout); only 0 is");
            }
            bound.remove(name);
        }
        return ConfigFiles.fromTree(file, bound, ModelConfig.class, KIND);
    }

    private static Set<String> implementedFields() {
        Set<String> out = new java.util.TreeSet<>();
        for (var c : ModelConfig.class.getRecordComponents()) {
            out.add(c.getAccessor().getAnnotation(JsonProperty.class) != null
                    ? c.getAccessor().getAnnotation(JsonProperty.class).value() : c.getName());
        }
        return out;
    }

    /** The config.json a Hugging Face loader expects, for models oplora creates (architectures and dtype included). */
    public ObjectNode toJson() {
        ObjectNode node = ConfigFiles.JSON.valueToTree(this);
        JsonNode eos = node.get("eos_token_id");
        if (eos != null && eos.isArray() && eos.size() == 1) {
            node.set("eos_token_id", eos.get(0));
        } else if (eos != null && eos.isArray() && eos.isEmpty()) {
            node.remove("eos_token_id");
        }
        node.putArray("architectures").add(modelType.architecture());
        node.put("torch_dtype", "float32");
        node.put("initializer_range", 0.02);
        node.put("use_cache", true);
        return node;
    }
}
