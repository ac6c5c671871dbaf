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
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A Hugging Face model folder: {@code config.json}, {@code model.safetensors} (or shards),
 * {@code tokenizer.json}, {@code generation_config.json}. Written into a temp folder beside the
 * target and moved into place, so a failed save leaves the previous folder (or nothing).
 */
public final class ModelFolder {

    public static final String CONFIG = "config.json";
    public static final String GENERATION_CONFIG = "generation_config.json";

    private ModelFolder() {
    }

    /** Saves weights (as the forward pass applies them) in {@code dtype}, config and tokenizer. */
    public static void save(Path folder, Transformer model, Tokenizer tokenizer, Dtype dtype) throws IOException {
        save(folder, model, tokenizer, dtype, true);
    }

    /** As {@link #save}; with {@code merged} false the adapters are left out (the frozen base is saved). */
    public static void save(Path folder, Transformer model, Tokenizer tokenizer, Dtype dtype, boolean merged) throws IOException {
        Path target = folder.toAbsolutePath();
        Files.createDirectories(target.getParent());
        Path temp = Files.createTempDirectory(target.getParent(), "." + target.getFileName() + ".tmp-");
        try {
            ModelConfig config = model.config().withTokens(tokenizer.bosId(), tokenizer.eosId(), tokenizer.padId());
            SafetensorsWriter writer = new SafetensorsWriter().metadata("format", "pt");
            for (Map.Entry<String, NDArray> e : model.namedWeights(merged).entrySet()) {
                writer.add(e.getKey(), dtype, e.getValue().getShape().getShape(), e.getValue().toFloatArray());
            }
            writer.write(temp.resolve(WeightStore.SINGLE_FILE));
            ObjectNode json = config.toJson();
            json.put("torch_dtype", dtype == Dtype.BF16 ? "bfloat16" : dtype == Dtype.F16 ? "float16" : "float32");
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

    /** Loads a folder written by oplora or any Llama / Qwen2 folder of F32, F16 or BF16 weights. */
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
                named.put(name, manager.create(store.readFloats(name), new Shape(info.shape())));
            }
        }
        try {
            return Transformer.fromTensors(config, manager, named, trainable);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(folder + ": " + e.getMessage(), e);
        }
    }
}
