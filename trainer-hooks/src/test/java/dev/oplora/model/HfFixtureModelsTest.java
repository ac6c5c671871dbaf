package dev.oplora.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.oplora.adapters.Engines;
import dev.oplora.fixtures.Fixtures;
import dev.oplora.tokenizer.Tokenizer;
import dev.oplora.train.Rng;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every model folder in {@code shared/fixtures/models/}: real Hugging Face release layouts
 * (configs verbatim, dimensions shrunk, BF16 weights, Qwen3's tokenizer files) with golden data
 * from an independent float64 implementation of transformers' conventions. For each: the prompt
 * ids from the folder's own tokenizer, the logits at the probe ids at every position (1e-4
 * absolute), the argmax over the whole vocabulary at every position, and the greedy
 * continuation through the KV cache.
 */
class HfFixtureModelsTest {

    static final double LOGIT_TOLERANCE = 1e-4;

    @Test
    void everyFixtureModelMatchesItsGoldenLogits() throws IOException {
        Path root = Fixtures.folder("models");
        List<Path> folders;
        try (Stream<Path> entries = Files.list(root)) {
            folders = entries.filter(Files::isDirectory).sorted().toList();
        }
        assertTrue(!folders.isEmpty(), root + " holds no model folder");
        for (Path folder : folders) {
            check(folder);
        }
    }

    /**
     * A folder derived from each fixture (float32, 4 MB shards) keeps every config field and value
     * but torch_dtype, copies every tokenizer and generation file byte for byte, writes
     * transformers' shard index, and loads back to the same logits.
     */
    @Test
    void derivedFoldersKeepEveryFieldAndFile(@org.junit.jupiter.api.io.TempDir Path out) throws IOException {
        Path root = Fixtures.folder("models");
        List<Path> folders;
        try (Stream<Path> entries = Files.list(root)) {
            folders = entries.filter(Files::isDirectory).sorted().toList();
        }
        ObjectMapper json = new ObjectMapper();
        for (Path folder : folders) {
            Path derived = out.resolve(folder.getFileName());
            try (NDManager manager = Engines.newManager()) {
                Transformer model = ModelFolder.load(folder, manager, false);
                ModelFolder.saveDerived(derived, folder, model, dev.oplora.safetensors.Dtype.F32, true, ShardSize.parse("4MB"));
                var before = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(folder.resolve("config.json").toFile());
                var after = json.readTree(derived.resolve("config.json").toFile());
                assertEquals("float32", after.path("torch_dtype").asText());
                before.put("torch_dtype", "float32");
                assertEquals(before, after, folder + ": every config field kept");
                for (String file : ModelFolder.COPIED_FILES) {
                    if (Files.isRegularFile(folder.resolve(file))) {
                        assertArrayEquals(Files.readAllBytes(folder.resolve(file)), Files.readAllBytes(derived.resolve(file)), file);
                    }
                }
                JsonNode index = json.readTree(derived.resolve(ModelFolder.INDEX).toFile());
                assertTrue(index.path("weight_map").size() > 0 && index.path("metadata").path("total_size").asLong() > 4_000_000,
                        "sharded with an index");
                NDArray ids = manager.create(new long[] {9707, 1879, 11}, new Shape(1, 3));
                float[] original = model.forward(ids, false).toFloatArray();
                float[] reloaded = ModelFolder.load(derived, manager, false).forward(ids, false).toFloatArray();
                assertArrayEquals(original, reloaded, 0f, folder + ": the derived folder computes the same logits");
            }
        }
    }

    private static void check(Path folder) throws IOException {
        String name = folder.getFileName().toString();
        JsonNode expected = new ObjectMapper().readTree(folder.resolve("expected.json").toFile());
        try (NDManager manager = Engines.newManager()) {
            Transformer model = ModelFolder.load(folder, manager, false);
            Tokenizer tokenizer = Tokenizer.load(folder);
            int[] ids = tokenizer.encodePrompt(expected.path("prompt_text").asText());
            assertArrayEquals(ints(expected.path("prompt_ids")), ids, name + ": prompt ids from the folder's tokenizer");

            long[] row = new long[ids.length];
            for (int i = 0; i < ids.length; i++) {
                row[i] = ids[i];
            }
            NDArray logits = model.forward(manager.create(row, new Shape(1, ids.length)), false);
            int vocab = (int) logits.getShape().get(2);
            float[] all = logits.toFloatArray();
            int[] probes = ints(expected.path("probe_ids"));
            int[] argmax = ints(expected.path("argmax_per_position"));
            for (int t = 0; t < ids.length; t++) {
                JsonNode golden = expected.path("logits_at_probe_ids").get(t);
                for (int i = 0; i < probes.length; i++) {
                    assertEquals(golden.get(i).asDouble(), all[t * vocab + probes[i]], LOGIT_TOLERANCE,
                            name + ": logit of id " + probes[i] + " at position " + t);
                }
                int best = 0;
                for (int v = 1; v < vocab; v++) {
                    if (all[t * vocab + v] > all[t * vocab + best]) {
                        best = v;
                    }
                }
                assertEquals(argmax[t], best, name + ": argmax at position " + t);
            }

            int checked = expected.path("greedy_tokens_checked").asInt();
            int[] greedy = new Generator(model, new int[0], tokenizer.padId())
                    .generate(List.of(ids), Generator.Sampling.greedy(checked), new Rng(0)).get(0);
            int[] golden = java.util.Arrays.copyOf(ints(expected.path("greedy_ids")), checked);
            assertArrayEquals(golden, greedy, name + ": greedy continuation through the KV cache");
        }
    }

    private static int[] ints(JsonNode values) {
        int[] out = new int[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i).asInt();
        }
        return out;
    }
}
