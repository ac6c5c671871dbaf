package dev.oplora.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import dev.oplora.adapters.Engines;
import dev.oplora.safetensors.Dtype;
import dev.oplora.tokenizer.CharTokenizer;
import dev.oplora.tokenizer.HfTokenizer;
import dev.oplora.tokenizer.Tokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TransformerTest {

    NDManager manager;
    final CharTokenizer tokenizer = CharTokenizer.arithmetic();

    @BeforeEach
    void open() {
        manager = Engines.newManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    static ModelConfig gqa(int vocab) {
        return ModelConfig.llama(vocab, 32, 64, 2, 4, 2, 64);
    }

    NDArray ids(int[][] rows) {
        int t = rows[0].length;
        long[] flat = new long[rows.length * t];
        for (int b = 0; b < rows.length; b++) {
            for (int i = 0; i < t; i++) {
                flat[b * t + i] = rows[b][i];
            }
        }
        return manager.create(flat, new Shape(rows.length, t));
    }

    @Test
    void folderRoundTripGivesIdenticalLogits(@TempDir Path dir) throws Exception {
        for (ModelConfig config : new ModelConfig[] {gqa(tokenizer.vocabSize()),
                ModelConfig.of(ModelType.QWEN2, tokenizer.vocabSize(), 32, 48, 2, 4, 1, 64, 1e6, true),
                ModelConfig.of(ModelType.QWEN3, tokenizer.vocabSize(), 32, 48, 2, 4, 2, 64, 1e6, true)}) {
            Transformer model = Transformer.random(config, manager, 3, false);
            NDArray input = ids(new int[][] {tokenizer.encode("12+34="), tokenizer.encode("7*8=56")});
            float[] before = model.forward(input, false).toFloatArray();
            Path folder = dir.resolve(config.modelType().configName());
            ModelFolder.save(folder, model, tokenizer, Dtype.F32);
            for (String f : List.of("config.json", "model.safetensors", "tokenizer.json", "generation_config.json")) {
                assertTrue(Files.isRegularFile(folder.resolve(f)), f);
            }
            Transformer loaded = ModelFolder.load(folder, manager, false);
            assertArrayEquals(before, loaded.forward(input, false).toFloatArray(), 0f, config.modelType().configName());
            ModelFolder.save(dir.resolve("bf16"), model, tokenizer, Dtype.BF16);
            float[] bf16 = ModelFolder.load(dir.resolve("bf16"), manager, false).forward(input, false).toFloatArray();
            assertArrayEquals(before, bf16, 0.05f, "bf16 weights give nearby logits");
            assertTrue(Files.readString(folder.resolve("config.json")).contains("\"num_key_value_heads\" : "
                    + config.numKeyValueHeads()));
        }
        try (var entries = Files.list(dir)) {
            assertEquals(4, entries.count(), "no temp folders left: a folder per model type and the bf16 one");
        }
    }

    @Test
    void kvCacheGenerationEqualsRecomputation() {
        Transformer model = Transformer.random(gqa(tokenizer.vocabSize()), manager, 5, false);
        Generator generator = new Generator(model, tokenizer.eosId(), tokenizer.padId());
        List<int[]> prompts = List.of(tokenizer.encode("12+34="), tokenizer.encode("5="), tokenizer.encode("(1+2)*3="));
        List<int[]> cached = generator.generate(prompts, Generator.Sampling.greedy(12), new java.util.SplittableRandom(1));
        List<int[]> recomputed = generator.generate(prompts, new Generator.Sampling(12, 0, 1, false), new java.util.SplittableRandom(1));
        for (int i = 0; i < prompts.size(); i++) {
            assertArrayEquals(recomputed.get(i), cached.get(i), "prompt " + i);
        }
        // Sampling with a seed repeats too, with and without the cache.
        Generator.Sampling hot = new Generator.Sampling(10, 1.0, 0.9, true);
        assertArrayEquals(generator.generate(prompts, hot, new java.util.SplittableRandom(4)).get(2),
                generator.generate(prompts, new Generator.Sampling(10, 1.0, 0.9, false), new java.util.SplittableRandom(4)).get(2));
    }

    /** Generation frees every intermediate: the model's manager holds as many arrays after as before. */
    @Test
    void generationLeavesNothingBehind() {
        Transformer model = Transformer.random(gqa(tokenizer.vocabSize()), manager, 7, false);
        Generator generator = new Generator(model, -1, tokenizer.padId());
        List<int[]> prompts = List.of(new int[] {3, 4, 5}, new int[] {6, 7});
        int before = model.manager().getManagedArrays().size();
        for (boolean cache : new boolean[] {true, false}) {
            generator.generate(prompts, new Generator.Sampling(6, 0, 1, cache), new java.util.SplittableRandom(1));
            assertEquals(before, model.manager().getManagedArrays().size(), "arrays left by generation, cache " + cache);
        }
    }

    @Test
    void leftPaddedBatchEqualsOneByOne() {
        Transformer model = Transformer.random(gqa(tokenizer.vocabSize()), manager, 6, false);
        Generator generator = new Generator(model, tokenizer.eosId(), tokenizer.padId());
        List<int[]> prompts = List.of(tokenizer.encode("9+9="), tokenizer.encode("123+456="), tokenizer.encode("1="));
        List<int[]> batched = generator.generate(prompts, Generator.Sampling.greedy(10), new java.util.SplittableRandom(0));
        for (int i = 0; i < prompts.size(); i++) {
            int[] alone = generator.generate(List.of(prompts.get(i)), Generator.Sampling.greedy(10), new java.util.SplittableRandom(0)).get(0);
            assertArrayEquals(alone, batched.get(i), "prompt " + i);
        }
    }

    /**
     * The embedding gradient is the same bits every time at a size PyTorch splits across threads
     * (2048 tokens x hidden 96; advanced indexing's backward accumulated rows in thread order).
     */
    @Test
    void embeddingGradientIsRepeatable() {
        Transformer model = Transformer.random(ModelConfig.llama(40, 96, 192, 1, 4, 2, 32), manager, 3, true);
        SplittableRandom random = new SplittableRandom(1);
        float[] ids = new float[64 * 32];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = random.nextInt(40);
        }
        NDArray input = manager.create(ids, new Shape(64, 32)).toType(DataType.INT64, false);
        float[] first = null;
        for (int run = 0; run < 6; run++) {
            dev.oplora.train.Gradients.zero(model.trainableParameters());
            try (GradientCollector collector = manager.getEngine().newGradientCollector()) {
                collector.backward(model.forward(input, true).logSoftmax(-1).get(":, :, 0").mean());
            }
            float[] gradient = model.trainableParameters().get("model.embed_tokens.weight").getArray().getGradient().toFloatArray();
            if (first == null) {
                first = gradient;
            } else {
                assertArrayEquals(first, gradient, "run " + run);
            }
        }
    }

    /**
     * Directional derivatives of a loss through every parameter group against central finite
     * differences: (L(p + eps v) - L(p - eps v)) / 2 eps = <grad, v> for a random unit direction v.
     * float32, eps = 1e-2: rounding noise about 1e-5 absolute; tolerance 1% + 1e-3.
     */
    @Test
    void gradientsMatchFiniteDifferences() {
        ModelConfig[] configs = {gqa(tokenizer.vocabSize()),
                ModelConfig.of(ModelType.QWEN2, tokenizer.vocabSize(), 16, 24, 1, 2, 1, 32, 100.0, true),
                ModelConfig.of(ModelType.QWEN3, tokenizer.vocabSize(), 16, 24, 1, 2, 1, 32, 100.0, true)};
        for (ModelConfig config : configs) {
            Transformer model = Transformer.random(config, manager, 8, true);
            // Larger weights than the 0.02 init, so every block contributes measurably.
            for (Parameter p : model.trainableList()) {
                if (!p.getName().contains("norm")) {
                    p.getArray().muli(10);
                }
            }
            NDArray input = ids(new int[][] {tokenizer.encode("12+34=46"), tokenizer.encode("(7-2)*3=")});
            NDArray targets = manager.randomInteger(0, config.vocabSize(), new Shape(2, 8), DataType.INT64);
            try (GradientCollector collector = manager.getEngine().newGradientCollector()) {
                collector.backward(loss(model, input, targets));
            }
            SplittableRandom random = new java.util.SplittableRandom(2);
            for (Map.Entry<String, Parameter> e : model.trainableParameters().entrySet()) {
                NDArray w = e.getValue().getArray();
                float[] direction = new float[(int) w.size()];
                for (int i = 0; i < direction.length; i++) {
                    direction[i] = (float) random.nextGaussian();
                }
                NDArray v = manager.create(direction, w.getShape());
                v = v.div(v.norm()); // unit direction: a 1e-2 step stays in the linear regime
                double analytic = w.getGradient().mul(v).sum().getFloat();
                float eps = 1e-2f;
                w.addi(v.mul(eps));
                double plus = loss(model, input, targets).getFloat();
                w.subi(v.mul(2 * eps));
                double minus = loss(model, input, targets).getFloat();
                w.addi(v.mul(eps));
                double numeric = (plus - minus) / (2 * eps);
                assertEquals(analytic, numeric, 0.01 * Math.abs(analytic) + 1e-3,
                        config.modelType() + " " + e.getKey() + ": analytic " + analytic + " numeric " + numeric);
            }
        }
    }

    private static NDArray loss(Transformer model, NDArray input, NDArray targets) {
        NDArray logp = model.forward(input, true).logSoftmax(-1);
        return logp.gather(targets.expandDims(-1), -1).neg().mean();
    }

    @Test
    void characterTokenizerLoadsThroughHuggingFaceTokenizers(@TempDir Path dir) throws Exception {
        tokenizer.save(dir);
        Files.writeString(dir.resolve("config.json"), "{\"bos_token_id\": 1, \"eos_token_id\": 2, \"vocab_size\": 22}");
        HfTokenizer hf = HfTokenizer.load(dir);
        for (String text : List.of("12+34=46", "(7-2)*3=15", "1 ? 2")) {
            assertArrayEquals(tokenizer.encode(text), hf.encode(text), text);
            assertEquals(text, hf.decode(hf.encode(text)));
        }
        Tokenizer back = Tokenizer.load(dir);
        assertEquals(tokenizer.alphabet(), ((CharTokenizer) back).alphabet());
        assertEquals(2, hf.eosId());
    }

    @Test
    void badModelsAreNamed(@TempDir Path dir) throws Exception {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelConfig.llama(20, 30, 64, 2, 4, 3, 64));
        assertTrue(e.getMessage().contains("'num_key_value_heads' must divide num_attention_heads (4), got 3"), e.getMessage());
        Transformer model = Transformer.random(gqa(tokenizer.vocabSize()), manager, 1, false);
        ModelFolder.save(dir.resolve("m"), model, tokenizer, Dtype.F32);
        Files.writeString(dir.resolve("m/config.json"), Files.readString(dir.resolve("m/config.json"))
                .replace("\"intermediate_size\" : 64", "\"intermediate_size\" : 65"));
        e = assertThrows(IllegalArgumentException.class, () -> ModelFolder.load(dir.resolve("m"), manager, false));
        assertTrue(e.getMessage().contains("tensor 'model.layers.0.mlp.gate_proj.weight' has shape (64, 32), the config needs (65, 32)"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ModelFolder.load(dir.resolve("absent"), manager, false));
        assertTrue(e.getMessage().contains("model folder does not exist"));
        Generator generator = new Generator(model, 2, 0);
        e = assertThrows(IllegalArgumentException.class,
                () -> generator.generate(List.of(new int[60]), Generator.Sampling.greedy(10), new java.util.SplittableRandom(0)));
        assertTrue(e.getMessage().contains("exceeds the context of 64"), e.getMessage());
    }
}
