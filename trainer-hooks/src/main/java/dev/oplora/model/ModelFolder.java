package dev.oplora.model;

import dev.oplora.files.AtomicFiles;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.oplora.safetensors.Dtype;
import dev.oplora.safetensors.SafetensorsWriter;
import dev.oplora.safetensors.TensorInfo;
import dev.oplora.safetensors.WeightStore;
import dev.oplora.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import dev.oplora.adapters.EngineBridge;
import dev.oplora.config.ConfigFiles;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Hugging Face model folder: {@code config.json}, {@code model.safetensors} (or shards),
 * {@code tokenizer.json}, {@code generation_config.json}. Written into a temp folder beside the
 * target and moved into place, so a failed save leaves the previous folder (or nothing).
 */
public final class ModelFolder {

    public static final String CONFIG = "config.json";
    public static final String GENERATION_CONFIG = "generation_config.json";
    public static final String INDEX = "model.safetensors.index.json";

    /** Files a folder derived from a base copies byte for byte when the base has them. */
    public static final List<String> COPIED_FILES = List.of("tokenizer.json", "tokenizer_config.json",
            "special_tokens_map.json", "vocab.json", "merges.txt", "tokenizer.model", "added_tokens.json",
            "chat_template.jinja", GENERATION_CONFIG);

    private ModelFolder() {
    }

    /**
     * Saves a model oplora created (pretraining): weights as the forward pass applies them in
     * {@code dtype}, streamed like {@link #saveDerived}, a config.json from its {@link ModelConfig},
     * the tokenizer and a generation config.
     */
    public static void save(Path folder, Transformer model, Tokenizer tokenizer, Dtype dtype) throws IOException {
        Path target = folder.toAbsolutePath();
        Files.createDirectories(target.getParent());
        Path temp = Files.createTempDirectory(target.getParent(), "." + target.getFileName() + ".tmp-");
        try {
            ModelConfig config = model.config().withTokens(tokenizer.bosId(), tokenizer.eosId(), tokenizer.padId());
            writeShards(temp, model, true, dtype, ShardSize.DEFAULT);
            ObjectNode json = config.toJson();
            json.put("torch_dtype", dtype.torchName());
            AtomicFiles.writeJson(temp.resolve(CONFIG), json);
            ObjectNode generation = json.objectNode().put("bos_token_id", tokenizer.bosId())
                    .put("eos_token_id", tokenizer.eosId()).put("pad_token_id", tokenizer.padId()).put("do_sample", false);
            AtomicFiles.writeJson(temp.resolve(GENERATION_CONFIG), generation);
            tokenizer.save(temp);
            AtomicFiles.replaceFolder(temp, target);
        } catch (IOException | RuntimeException e) {
            AtomicFiles.deleteTree(temp);
            throw e;
        }
    }

    /**
     * Writes a folder derived from the model folder {@code base}: the model's weights (merged
     * with its adapters, or the frozen base when {@code merged} is false) in {@code dtype},
     * sharded at {@code maxShard}; the base's {@code config.json} with every field and value
     * kept (only {@code torch_dtype} follows the new dtype); and the base's tokenizer and
     * generation files, byte for byte. Tensors are converted one at a time as they are written.
     * Nothing appears at {@code folder} unless all of it was written.
     */
    public static void saveDerived(Path folder, Path base, Transformer model, Dtype dtype, boolean merged, ShardSize maxShard)
            throws IOException {
        Path target = folder.toAbsolutePath();
        Files.createDirectories(target.getParent());
        Path temp = Files.createTempDirectory(target.getParent(), "." + target.getFileName() + ".tmp-");
        try {
            writeShards(temp, model, merged, dtype, maxShard);
            ObjectNode config = ConfigFiles.readObject(base.resolve(CONFIG), ModelConfig.KIND);
            for (String field : List.of("torch_dtype", "dtype")) {
                if (config.has(field) || (field.equals("torch_dtype") && !config.has("dtype"))) {
                    config.put(field, dtype.torchName());
                }
            }
            AtomicFiles.writeJson(temp.resolve(CONFIG), config);
            for (String name : COPIED_FILES) {
                if (Files.isRegularFile(base.resolve(name))) {
                    Files.copy(base.resolve(name), temp.resolve(name));
                }
            }
            AtomicFiles.replaceFolder(temp, target);
        } catch (IOException | RuntimeException e) {
            AtomicFiles.deleteTree(temp);
            throw e;
        }
    }

    /** The floating type a model folder stores (its config's torch_dtype, or dtype), float32 when it says none. */
    public static Dtype storedDtype(Path folder) throws IOException {
        ObjectNode config = ConfigFiles.readObject(folder.resolve(CONFIG), ModelConfig.KIND);
        String name = config.path("torch_dtype").asText(config.path("dtype").asText("float32"));
        Dtype dtype = Dtype.ofFloatName(name);
        if (dtype == null) {
            throw new IllegalArgumentException(folder.resolve(CONFIG) + ": model config field 'torch_dtype' \"" + name
                    + "\" is not a floating type oplora writes (float32, bfloat16, float16, float64)");
        }
        return dtype;
    }

    /**
     * {@code model.safetensors}, or {@code model-0000i-of-0000n.safetensors} shards of at most
     * {@code maxShard} each (a larger tensor alone in its shard) with transformers' index.
     */
    private static void writeShards(Path folder, Transformer model, boolean merged, Dtype dtype, ShardSize maxShard)
            throws IOException {
        Map<String, Shape> shapes = Transformer.expectedShapes(model.config());
        List<List<String>> shards = new ArrayList<>();
        long used = 0;
        long total = 0;
        for (Map.Entry<String, Shape> e : shapes.entrySet()) {
            long bytes = e.getValue().size() * dtype.size();
            if (shards.isEmpty() || (used > 0 && used + bytes > maxShard.bytes())) {
                shards.add(new ArrayList<>());
                used = 0;
            }
            shards.get(shards.size() - 1).add(e.getKey());
            used += bytes;
            total += bytes;
        }
        Map<String, String> weightMap = new LinkedHashMap<>();
        for (int i = 0; i < shards.size(); i++) {
            String file = shards.size() == 1 ? WeightStore.SINGLE_FILE
                    : String.format("model-%05d-of-%05d.safetensors", i + 1, shards.size());
            SafetensorsWriter writer = new SafetensorsWriter().metadata("format", "pt");
            for (String name : shards.get(i)) {
                writer.addLazy(name, dtype, shapes.get(name).getShape(), () -> model.weightValues(name, merged));
                weightMap.put(name, file);
            }
            writer.write(folder.resolve(file));
        }
        if (shards.size() > 1) {
            ObjectNode index = ConfigFiles.JSON.createObjectNode();
            index.putObject("metadata").put("total_size", total);
            ObjectNode map = index.putObject("weight_map");
            weightMap.forEach(map::put);
            AtomicFiles.writeJson(folder.resolve(INDEX), index);
        }
    }

    /** Loads a folder written by oplora or any Llama / Qwen2 / Qwen3 folder of F32, F16 or BF16 weights. */
    public static Transformer load(Path folder, NDManager manager, boolean trainable) throws IOException {
        if (!Files.isDirectory(folder)) {
            throw new IllegalArgumentException(folder + ": model folder does not exist");
        }
        ModelConfig config = ModelConfig.read(folder.resolve(CONFIG));
        Map<String, NDArray> named = new LinkedHashMap<>();
        try (WeightStore store = WeightStore.open(folder)) {
            for (String name : store.names()) {
                if (name.equals("lm_head.weight") && config.tieWordEmbeddings()) {
                    continue; // a tied head is the embedding; some exporters still write it
                }
                if (name.endsWith(".rotary_emb.inv_freq")) {
                    continue; // older Llama exports store the rotary table; it is derived from rope_theta
                }
                TensorInfo info = store.info(name);
                // Into PyTorch's memory at once: the Java-side buffer of one tensor is all that is alive.
                named.put(name, EngineBridge.owned(manager.create(store.readFloats(name), new Shape(info.shape()))));
            }
        }
        try {
            return Transformer.fromTensors(config, manager, named, trainable);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(folder + ": " + e.getMessage(), e);
        }
    }
}
