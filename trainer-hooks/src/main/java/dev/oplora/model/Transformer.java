package dev.oplora.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import dev.oplora.adapters.LinearLayer;
import dev.oplora.adapters.EngineBridge;
import dev.oplora.adapters.Scalars;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A decoder-only transformer in the Llama / Qwen2 / Qwen3 style, top to bottom in one file: token
 * embedding, then per layer RMSNorm -> grouped-query attention with rotary positions (Qwen3: each
 * head of q and k RMS-normalised first) -> residual, RMSNorm -> SwiGLU MLP -> residual; a final
 * RMSNorm and the output projection (or the tied embedding). Parameter names and shapes are
 * exactly Hugging Face's, and every linear layer is a {@link LinearLayer}, the injection point
 * for adapters.
 */
public final class Transformer implements AutoCloseable {

    /** Masked attention logits get this instead of -inf, so fully padded rows stay finite. */
    private static final float MASKED = -1e9f;

    private final ModelConfig config;
    private final NDManager manager;
    private final Map<String, Parameter> tensors = new LinkedHashMap<>();
    private final Map<String, LinearLayer> linears = new LinkedHashMap<>();
    private final NDArray inverseFrequencies;
    private final NDArray epsilon;
    private final NDArray attentionScale;
    private boolean reference;

    private Transformer(ModelConfig config, NDManager manager) {
        this.config = config;
        this.manager = manager;
        double[] frequencies = config.inverseFrequencies();
        float[] inv = new float[frequencies.length];
        for (int i = 0; i < inv.length; i++) {
            inv[i] = (float) frequencies[i];
        }
        this.inverseFrequencies = EngineBridge.owned(manager.create(inv));
        // Constants of the graph, owned by PyTorch and made once (see Scalars for why they must be owned).
        this.epsilon = Scalars.of(inverseFrequencies, config.rmsNormEps());
        this.attentionScale = Scalars.of(inverseFrequencies, 1 / Math.sqrt(config.headDimension()));
    }

    /**
     * Builds a model from named tensors (Hugging Face names). Missing or misshapen tensors are
     * errors naming the tensor. Embeddings and norms train when {@code trainable}; linear layers
     * likewise (for pretraining) or stay frozen for adapters.
     */
    public static Transformer fromTensors(ModelConfig config, NDManager manager, Map<String, NDArray> named, boolean trainable) {
        Transformer model = new Transformer(config, manager);
        Map<String, Shape> expected = expectedShapes(config);
        for (String name : named.keySet()) {
            if (!expected.containsKey(name) && !(config.tieWordEmbeddings() && name.equals("lm_head.weight"))) {
                throw new IllegalArgumentException("unexpected tensor '" + name + "' for this " + config.modelType() + " config");
            }
        }
        for (Map.Entry<String, Shape> e : expected.entrySet()) {
            NDArray array = named.get(e.getKey());
            if (array == null) {
                throw new IllegalArgumentException("missing tensor '" + e.getKey() + "' " + e.getValue());
            }
            if (!array.getShape().equals(e.getValue())) {
                throw new IllegalArgumentException("tensor '" + e.getKey() + "' has shape " + array.getShape()
                        + ", the config needs " + e.getValue());
            }
        }
        for (Map.Entry<String, Shape> e : expected.entrySet()) {
            String name = e.getKey();
            if (name.endsWith(".bias")) {
                continue; // attached with its weight
            }
            NDArray array = EngineBridge.owned(named.get(name).toType(DataType.FLOAT32, false));
            if (name.endsWith("_proj.weight") || name.equals("lm_head.weight")) {
                String module = name.substring(0, name.length() - ".weight".length());
                NDArray bias = named.get(module + ".bias");
                NDArray b = bias == null ? null : EngineBridge.owned(bias.toType(DataType.FLOAT32, false));
                model.linears.put(module, trainable ? LinearLayer.trainable(array, b) : LinearLayer.frozen(array, b));
            } else {
                array.setRequiresGradient(trainable);
                model.tensors.put(name, Parameter.builder().setName(name).setType(Parameter.Type.WEIGHT)
                        .optArray(array).optRequiresGrad(trainable).build());
            }
        }
        return model;
    }

    /** A freshly initialised model: N(0, 0.02) weights, unit norms, zero biases (HF's init). */
    public static Transformer random(ModelConfig config, NDManager manager, long seed, boolean trainable) {
        java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
        Map<String, NDArray> named = new LinkedHashMap<>();
        for (Map.Entry<String, Shape> e : expectedShapes(config).entrySet()) {
            String name = e.getKey();
            float[] values = new float[Math.toIntExact(e.getValue().size())];
            if (name.endsWith("norm.weight")) {
                java.util.Arrays.fill(values, 1f);
            } else if (!name.endsWith(".bias")) {
                for (int i = 0; i < values.length; i++) {
                    values[i] = (float) (0.02 * random.nextGaussian());
                }
            }
            named.put(name, manager.create(values, e.getValue()));
        }
        return fromTensors(config, manager, named, trainable);
    }

    /** Every tensor name the config implies, with its shape, in Hugging Face order. */
    public static Map<String, Shape> expectedShapes(ModelConfig c) {
        Map<String, Shape> out = new LinkedHashMap<>();
        int d = c.headDimension();
        long q = (long) c.numAttentionHeads() * d;
        long kv = (long) c.numKeyValueHeads() * d;
        out.put("model.embed_tokens.weight", new Shape(c.vocabSize(), c.hiddenSize()));
        for (int i = 0; i < c.numHiddenLayers(); i++) {
            String p = "model.layers." + i + ".";
            out.put(p + "input_layernorm.weight", new Shape(c.hiddenSize()));
            out.put(p + "self_attn.q_proj.weight", new Shape(q, c.hiddenSize()));
            out.put(p + "self_attn.k_proj.weight", new Shape(kv, c.hiddenSize()));
            out.put(p + "self_attn.v_proj.weight", new Shape(kv, c.hiddenSize()));
            if (c.qkvBias()) {
                out.put(p + "self_attn.q_proj.bias", new Shape(q));
                out.put(p + "self_attn.k_proj.bias", new Shape(kv));
                out.put(p + "self_attn.v_proj.bias", new Shape(kv));
            }
            out.put(p + "self_attn.o_proj.weight", new Shape(c.hiddenSize(), q));
            if (c.outputBias()) {
                out.put(p + "self_attn.o_proj.bias", new Shape(c.hiddenSize()));
            }
            if (c.queryKeyNorm()) {
                out.put(p + "self_attn.q_norm.weight", new Shape(d));
                out.put(p + "self_attn.k_norm.weight", new Shape(d));
            }
            out.put(p + "post_attention_layernorm.weight", new Shape(c.hiddenSize()));
            out.put(p + "mlp.gate_proj.weight", new Shape(c.intermediateSize(), c.hiddenSize()));
            out.put(p + "mlp.up_proj.weight", new Shape(c.intermediateSize(), c.hiddenSize()));
            out.put(p + "mlp.down_proj.weight", new Shape(c.hiddenSize(), c.intermediateSize()));
            if (c.mlpBiases()) {
                out.put(p + "mlp.gate_proj.bias", new Shape(c.intermediateSize()));
                out.put(p + "mlp.up_proj.bias", new Shape(c.intermediateSize()));
                out.put(p + "mlp.down_proj.bias", new Shape(c.hiddenSize()));
            }
        }
        out.put("model.norm.weight", new Shape(c.hiddenSize()));
        if (!c.tieWordEmbeddings()) {
            out.put("lm_head.weight", new Shape(c.vocabSize(), c.hiddenSize()));
        }
        return out;
    }

    public ModelConfig config() {
        return config;
    }

    public NDManager manager() {
        return manager;
    }

    /** The linear layers by Hugging Face module path: the adapter injection points. */
    public Map<String, LinearLayer> linearLayers() {
        return linears;
    }

    /** Every trainable parameter (own tensors, linear layers and their adapters), by name. */
    public Map<String, Parameter> trainableParameters() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        tensors.forEach((name, p) -> {
            if (p.requiresGradient()) {
                out.put(name, p);
            }
        });
        linears.forEach((module, layer) -> {
            for (var pair : layer.getParameters()) {
                if (pair.getValue().requiresGradient()) {
                    out.put(module + "." + pair.getKey(), pair.getValue());
                }
            }
        });
        return out;
    }

    /**
     * One weight's values (float32, row-major) by Hugging Face name, computing a merged linear
     * weight only for this call: what a streaming save reads, one tensor at a time.
     */
    public float[] weightValues(String name, boolean merged) {
        if (tensors.containsKey(name)) {
            return tensors.get(name).getArray().toFloatArray();
        }
        if (name.endsWith(".bias")) {
            return linears.get(name.substring(0, name.length() - ".bias".length())).bias().toFloatArray();
        }
        LinearLayer layer = linears.get(name.substring(0, name.length() - ".weight".length()));
        if (!merged) {
            return layer.weight().toFloatArray();
        }
        // The scope frees base + s B A and its intermediates (B A, the scaled delta) right here.
        try (ai.djl.ndarray.NDScope scope = new ai.djl.ndarray.NDScope()) {
            scope.suppressNotUsedWarning();
            return layer.effectiveWeight().toFloatArray();
        }
    }

    /**
     * Logits [B, T, vocab] for token ids [B, T].
     *
     * @param positions absolute position of each token, [B][T]
     * @param keyValid  which keys may be attended, [B][cache + T]; null when every key is valid
     * @param cache     past keys and values (extended in place), or null
     */
    /**
     * Token embeddings [B, T, hidden] through PyTorch's embedding op, not advanced indexing: the
     * indexing backward (index_put_ with accumulation) adds rows in a thread-dependent order on
     * CPU, so two processes trained the same run to different weights; the embedding backward
     * gives each thread its own rows.
     */
    private NDArray embed(NDArray ids) {
        NDArray weight = tensor("model.embed_tokens.weight");
        return ids.getNDArrayInternal().embedding(ids, weight, ai.djl.ndarray.types.SparseFormat.DENSE).singletonOrThrow();
    }

    public NDArray forward(NDArray ids, int[][] positions, boolean[][] keyValid, KvCache cache, boolean training) {
        long batch = ids.getShape().get(0);
        long steps = ids.getShape().get(1);
        long past = cache == null ? 0 : cache.length();
        NDManager scope = ids.getManager();
        NDArray x = embed(ids);
        NDArray[] rotary = rotary(scope, positions, x.getDataType());
        NDArray mask = attentionMask(scope, batch, steps, past, keyValid, x.getDataType());
        for (int i = 0; i < config.numHiddenLayers(); i++) {
            String p = "model.layers." + i + ".";
            NDArray h = rmsNorm(x, tensor(p + "input_layernorm.weight"));
            x = x.add(attention(p + "self_attn.", i, h, rotary, mask, cache, training));
            h = rmsNorm(x, tensor(p + "post_attention_layernorm.weight"));
            x = x.add(mlp(p + "mlp.", h, training));
        }
        x = rmsNorm(x, tensor("model.norm.weight"));
        return config.tieWordEmbeddings()
                ? x.matMul(tensor("model.embed_tokens.weight").transpose())
                : linear("lm_head", x, training);
    }

    /**
     * The forward pass of the reference policy: every linear layer as it was before its adapter
     * (original weights, no delta). Used without gradients for the KL term.
     */
    public NDArray referenceForward(NDArray ids, int[][] positions, boolean[][] keyValid) {
        reference = true;
        try {
            return forward(ids, positions, keyValid, null, false);
        } finally {
            reference = false;
        }
    }

    private NDArray linear(String module, NDArray x, boolean training) {
        LinearLayer layer = linears.get(module);
        return reference ? layer.applyOriginal(x) : layer.apply(x, training);
    }

    /** Causal forward over whole sequences with right padding (or none): positions 0..T-1. */
    public NDArray forward(NDArray ids, boolean training) {
        long batch = ids.getShape().get(0);
        int steps = (int) ids.getShape().get(1);
        int[][] positions = new int[(int) batch][steps];
        for (int[] row : positions) {
            for (int t = 0; t < steps; t++) {
                row[t] = t;
            }
        }
        return forward(ids, positions, null, null, training);
    }

    private NDArray attention(String prefix, int layer, NDArray x, NDArray[] rotary, NDArray mask, KvCache cache,
                              boolean training) {
        long b = x.getShape().get(0);
        long t = x.getShape().get(1);
        int heads = config.numAttentionHeads();
        int kvHeads = config.numKeyValueHeads();
        int d = config.headDimension();
        NDArray q = heads(linear(prefix + "q_proj", x, training), b, t, heads, d);
        NDArray k = heads(linear(prefix + "k_proj", x, training), b, t, kvHeads, d);
        NDArray v = heads(linear(prefix + "v_proj", x, training), b, t, kvHeads, d);
        if (config.queryKeyNorm()) {
            q = rmsNorm(q, tensor(prefix + "q_norm.weight"));
            k = rmsNorm(k, tensor(prefix + "k_norm.weight"));
        }
        q = rotate(q, rotary);
        k = rotate(k, rotary);
        if (cache != null) {
            NDArray[] kv = cache.append(layer, k, v);
            k = kv[0];
            v = kv[1];
        }
        int groups = heads / kvHeads;
        if (groups > 1) {
            // Grouped-query attention: each kv head serves `groups` consecutive query heads.
            long s = k.getShape().get(2);
            k = k.expandDims(2).repeat(2, groups).reshape(b, heads, s, d);
            v = v.expandDims(2).repeat(2, groups).reshape(b, heads, s, d);
        }
        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).mul(attentionScale).add(mask);
        NDArray out = scores.softmax(-1).matMul(v);                      // [B, H, T, D]
        out = out.transpose(0, 2, 1, 3).reshape(b, t, (long) heads * d);
        return linear(prefix + "o_proj", out, training);
    }

    private NDArray mlp(String prefix, NDArray x, boolean training) {
        NDArray gate = linear(prefix + "gate_proj", x, training);
        NDArray up = linear(prefix + "up_proj", x, training);
        return linear(prefix + "down_proj", gate.mul(Activation.sigmoid(gate)).mul(up), training);
    }

    /** x / sqrt(mean(x^2) + eps) * w over the last axis. */
    private NDArray rmsNorm(NDArray x, NDArray weight) {
        NDArray variance = x.square().mean(new int[] {-1}, true);
        return x.div(variance.add(epsilon).sqrt()).mul(weight);
    }

    /** [B, T, H*D] -> [B, H, T, D]. */
    private static NDArray heads(NDArray x, long b, long t, int heads, int d) {
        return x.reshape(b, t, heads, d).transpose(0, 2, 1, 3);
    }

    /** cos and sin of position x frequency, [B, 1, T, D] each (Hugging Face's half-split layout). */
    private NDArray[] rotary(NDManager scope, int[][] positions, DataType type) {
        int b = positions.length;
        int t = positions[0].length;
        float[] flat = new float[b * t];
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < t; j++) {
                flat[i * t + j] = positions[i][j];
            }
        }
        NDArray pos = EngineBridge.owned(scope.create(flat, new Shape(b, t, 1)));
        NDArray freqs = pos.mul(inverseFrequencies.reshape(1, 1, -1));    // [B, T, D/2]
        NDArray angles = freqs.concat(freqs, -1).expandDims(1);            // [B, 1, T, D]
        return new NDArray[] {angles.cos().toType(type, false), angles.sin().toType(type, false)};
    }

    /** x * cos + rotate_half(x) * sin, rotate_half([x1, x2]) = [-x2, x1]. */
    static NDArray rotate(NDArray x, NDArray[] rotary) {
        long half = x.getShape().get(3) / 2;
        NDArray x1 = x.get(new NDIndex("..., :{}", half));
        NDArray x2 = x.get(new NDIndex("..., {}:", half));
        return x.mul(rotary[0]).add(x2.neg().concat(x1, -1).mul(rotary[1]));
    }

    /** Additive mask [B, 1, T, past + T]: 0 where query i may see key j (j <= past + i and key valid). */
    private static NDArray attentionMask(NDManager scope, long batch, long steps, long past, boolean[][] keyValid, DataType type) {
        long keys = past + steps;
        float[] values = new float[Math.toIntExact(batch * steps * keys)];
        int at = 0;
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < steps; i++) {
                for (int j = 0; j < keys; j++) {
                    boolean visible = j <= past + i && (keyValid == null || keyValid[b][j]);
                    values[at++] = visible ? 0f : MASKED;
                }
            }
        }
        return EngineBridge.owned(scope.create(values, new Shape(batch, 1, steps, keys))).toType(type, false);
    }

    private NDArray tensor(String name) {
        return tensors.get(name).getArray();
    }

    @Override
    public void close() {
        manager.close();
    }

    /** All trainable parameters as a list, in a stable order. */
    public List<Parameter> trainableList() {
        return new ArrayList<>(trainableParameters().values());
    }
}
