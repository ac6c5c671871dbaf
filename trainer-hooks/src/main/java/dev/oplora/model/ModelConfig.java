package dev.oplora.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.oplora.config.ConfigFiles;
import dev.oplora.config.FieldException;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A Llama / Qwen2 {@code config.json}. Hugging Face configs carry many more fields; those
 * that do not change the architecture are ignored on read.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
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
        @JsonProperty("eos_token_id") Integer eosTokenId,
        @JsonProperty("pad_token_id") Integer padTokenId) {

    static final ObjectMapper JSON = new ObjectMapper();

    /** What {@link ConfigFiles} calls this kind of config in errors. */
    public static final String KIND = "model config";

    public ModelConfig {
        modelType = modelType == null ? ModelType.LLAMA : modelType;
        numKeyValueHeads = numKeyValueHeads == null ? numAttentionHeads : numKeyValueHeads;
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
    }

    private static void require(boolean ok, String field, String message) {
        if (!ok) {
            throw new FieldException(field, message);
        }
    }

    /** A small Llama-style config. */
    public static ModelConfig llama(int vocab, int hidden, int intermediate, int layers, int heads, int kvHeads, int context) {
        return new ModelConfig(ModelType.LLAMA, hidden, intermediate, heads, kvHeads, layers, vocab, 1e-6, 10000.0, context,
                false, false, null, null, null, null);
    }

    /** Dimension of one attention head. */
    public int headDimension() {
        return headDim != null ? headDim : hiddenSize / numAttentionHeads;
    }

    /** Bias on q, k and v: Qwen2 always, Llama when attention_bias is set. */
    public boolean qkvBias() {
        return modelType == ModelType.QWEN2 || Boolean.TRUE.equals(attentionBias);
    }

    /** Bias on o_proj: Llama with attention_bias only. */
    public boolean outputBias() {
        return modelType == ModelType.LLAMA && Boolean.TRUE.equals(attentionBias);
    }

    public ModelConfig withTokens(Integer bos, Integer eos, Integer pad) {
        return new ModelConfig(modelType, hiddenSize, intermediateSize, numAttentionHeads, numKeyValueHeads,
                numHiddenLayers, vocabSize, rmsNormEps, ropeTheta, maxPositionEmbeddings, tieWordEmbeddings,
                attentionBias, headDim, bos, eos, pad);
    }

    public ModelConfig withTiedEmbeddings(boolean tied) {
        return new ModelConfig(modelType, hiddenSize, intermediateSize, numAttentionHeads, numKeyValueHeads,
                numHiddenLayers, vocabSize, rmsNormEps, ropeTheta, maxPositionEmbeddings, tied,
                attentionBias, headDim, bosTokenId, eosTokenId, padTokenId);
    }

    public static ModelConfig read(Path file) throws IOException {
        return ConfigFiles.read(file, ModelConfig.class, KIND);
    }

    /** The config.json a Hugging Face loader expects, architectures and dtype included. */
    public ObjectNode toJson() {
        ObjectNode node = JSON.valueToTree(this);
        node.putArray("architectures").add(modelType.architecture());
        node.put("hidden_act", "silu");
        node.put("torch_dtype", "float32");
        node.put("initializer_range", 0.02);
        node.put("use_cache", true);
        return node;
    }
}
