package dev.oplora.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.oplora.files.AtomicFiles;
import dev.oplora.model.ModelConfig;
import dev.oplora.model.ModelType;
import dev.oplora.model.Transformer;
import dev.oplora.safetensors.Dtype;
import dev.oplora.safetensors.SafetensorsWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Writes a model folder with a real release's shapes and random BF16 weights (N(0, 0.02), unit
 * norms), streamed one tensor at a time, for measuring what loading, init and merge cost at
 * that size. Usage: {@code SyntheticCheckpoint OUT_FOLDER} (Qwen2.5-1.5B shapes).
 */
public final class SyntheticCheckpoint {

    private SyntheticCheckpoint() {
    }

    /** Qwen2.5-1.5B: hidden 1536, MLP 8960, 28 layers, 12 heads / 2 kv heads, vocab 151936, tied embeddings. */
    static ModelConfig qwen25OnePointFiveB() {
        return ModelConfig.of(ModelType.QWEN2, 151936, 1536, 8960, 28, 12, 2, 32768, 1_000_000.0, true);
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        ModelConfig config = qwen25OnePointFiveB();
        Files.createDirectories(out);
        SafetensorsWriter writer = new SafetensorsWriter().metadata("format", "pt");
        long parameters = 0;
        for (Map.Entry<String, ai.djl.ndarray.types.Shape> e : Transformer.expectedShapes(config).entrySet()) {
            String name = e.getKey();
            long size = e.getValue().size();
            parameters += size;
            writer.addLazy(name, Dtype.BF16, e.getValue().getShape(), () -> values(name, size));
        }
        writer.write(out.resolve("model.safetensors"));
        ObjectNode json = config.toJson();
        json.put("torch_dtype", "bfloat16");
        AtomicFiles.writeJson(out.resolve("config.json"), json);
        System.out.printf("wrote %s: %d parameters, bf16%n", out, parameters);
    }

    private static float[] values(String name, long size) {
        float[] v = new float[Math.toIntExact(size)];
        if (name.endsWith("norm.weight")) {
            java.util.Arrays.fill(v, 1f);
        } else if (!name.endsWith(".bias")) {
            SplittableRandom random = new SplittableRandom(name.hashCode());
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (0.02 * random.nextGaussian());
            }
        }
        return v;
    }
}
