package dev.oplora.adapters;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.oplora.adapters.config.AdapterConfig;
import dev.oplora.adapters.config.TargetModules;
import dev.oplora.init.AdapterInit;
import dev.oplora.mask.MaskKind;
import dev.oplora.safetensors.Dtype;
import dev.oplora.safetensors.SafetensorsException;
import dev.oplora.safetensors.SafetensorsFile;
import dev.oplora.safetensors.SafetensorsWriter;
import dev.oplora.safetensors.WeightStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** PEFT adapter folders, delta folders and merged checkpoints: written, read back, compared. */
class AdapterFilesTest {

    @TempDir
    Path dir;

    static final TargetModules BOTH = TargetModules.of("up_proj", "down_proj");

    @ParameterizedTest
    @ValueSource(strings = {"lora", "op-lora", "op-lora-minor"})
    void peftSaveLoadGivesIdenticalOutputs(String init) throws IOException {
        float[] trained;
        try (TinyRegression model = new TinyRegression(21)) {
            Injector.Injected injected = Injector.inject(model.layers,
                    AdapterConfig.lora(AdapterInit.parse(init), 4, 8, BOTH).withPrincipalRank(3));
            model.train(30, 0.02f, m -> { });
            trained = model.forward(model.x).toFloatArray();
            PeftFiles.save(dir, injected, "tiny-base");
        }
        try (SafetensorsFile file = SafetensorsFile.open(dir.resolve(PeftFiles.WEIGHTS))) {
            assertEquals("pt", file.metadata().get("format"));
            assertArrayEquals(new long[] {4, 16}, file.info("base_model.model.model.layers.0.mlp.up_proj.lora_A.weight").shape());
            assertArrayEquals(new long[] {24, 4}, file.info("base_model.model.model.layers.0.mlp.up_proj.lora_B.weight").shape());
            assertEquals(4, file.tensors().size());
        }
        JsonNode config = new ObjectMapper().readTree(dir.resolve(PeftFiles.CONFIG).toFile());
        assertEquals("LORA", config.get("peft_type").asText());
        assertTrue(config.get("init_lora_weights").isBoolean(), "PEFT-loadable init_lora_weights");
        assertEquals(init, config.get("oplora_init").asText());
        assertEquals(4, config.get("r").asInt());
        assertEquals("tiny-base", config.get("base_model_name_or_path").asText());
        try (TinyRegression fresh = new TinyRegression(21)) {
            Injector.Injected loaded = PeftFiles.load(dir, fresh.layers);
            assertEquals(init, loaded.config().initLoraWeights().name());
            assertArrayEquals(trained, fresh.forward(fresh.x).toFloatArray(), 1e-6f);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"pissa", "milora"})
    void residualInitsExportAsPlainLoraAgainstTheOriginalBase(String init) throws IOException {
        float[][] trainedWeights = new float[2][];
        float[] trained;
        for (boolean rslora : new boolean[] {false, true}) {
            Path out = dir.resolve(init + rslora);
            try (TinyRegression model = new TinyRegression(22)) {
                AdapterConfig config = AdapterConfig.parse("{\"r\": 3, \"lora_alpha\": 6, \"use_rslora\": " + rslora
                        + ", \"target_modules\": [\"up_proj\", \"down_proj\"], \"init_lora_weights\": \"" + init + "\"}");
                Injector.Injected injected = Injector.inject(model.layers, config);
                model.train(30, 0.02f, m -> { });
                trained = model.forward(model.x).toFloatArray();
                trainedWeights[0] = model.up().effectiveWeight().toFloatArray();
                trainedWeights[1] = model.down().effectiveWeight().toFloatArray();
                PeftFiles.save(out, injected, null);
            }
            JsonNode config = new ObjectMapper().readTree(out.resolve(PeftFiles.CONFIG).toFile());
            assertEquals(6, config.get("r").asInt(), "rank doubled");
            assertEquals(rslora ? 6 * Math.sqrt(2) : 12, config.get("lora_alpha").asDouble(), 1e-9, "scaling kept");
            try (TinyRegression original = new TinyRegression(22)) {
                PeftFiles.load(out, original.layers);
                // Against the ORIGINAL base: W + s' B' A' must be the trained weight.
                float[] up = original.up().effectiveWeight().toFloatArray();
                float[] down = original.down().effectiveWeight().toFloatArray();
                for (int i = 0; i < up.length; i++) {
                    assertEquals(trainedWeights[0][i], up[i], 2e-6f * (1 + Math.abs(up[i])), "up " + i);
                }
                assertArrayEquals(trainedWeights[1], down, 1e-5f);
                assertArrayEquals(trained, original.forward(original.x).toFloatArray(), 1e-4f);
            }
        }
    }

    @Test
    void sparseAndFullDeltasRoundTripAndMerge() throws IOException {
        float[] trained;
        float[] mergedUp;
        Path base = dir.resolve("base");
        try (TinyRegression model = new TinyRegression(23)) {
            writeBase(model, base);
            Injector.Injected sparse = Injector.inject(model.layers,
                    AdapterConfig.sparse(MaskKind.parse("magnitude-low"), 0.3, TargetModules.of("up_proj")));
            Injector.inject(model.layers, AdapterConfig.full(TargetModules.of("down_proj")));
            model.train(30, 0.02f, m -> { });
            trained = model.forward(model.x).toFloatArray();
            mergedUp = model.up().effectiveWeight().toFloatArray();
            DeltaFiles.save(dir.resolve("sparse"), sparse);
            DeltaFiles.save(dir.resolve("full"), new Injector.Injected(AdapterConfig.full(TargetModules.of("down_proj")),
                    java.util.Map.of("model.layers.0.mlp.down_proj", model.down())));
            try (WeightStore store = WeightStore.open(base)) {
                MergedCheckpoint.write(dir.resolve("merged/model.safetensors"), store, model.layers, Dtype.F32);
                MergedCheckpoint.write(dir.resolve("merged-bf16/model.safetensors"), store, model.layers, Dtype.BF16);
            }
        }
        try (SafetensorsFile file = SafetensorsFile.open(dir.resolve("sparse").resolve(DeltaFiles.WEIGHTS))) {
            assertEquals(Math.round(0.3 * 24 * 16), file.info("model.layers.0.mlp.up_proj.delta.indices").elements());
        }
        try (TinyRegression fresh = new TinyRegression(23)) {
            DeltaFiles.load(dir.resolve("sparse"), fresh.layers);
            DeltaFiles.load(dir.resolve("full"), fresh.layers);
            assertArrayEquals(trained, fresh.forward(fresh.x).toFloatArray(), 1e-6f);
        }
        try (WeightStore merged = WeightStore.open(dir.resolve("merged"))) {
            assertArrayEquals(mergedUp, merged.readFloats("model.layers.0.mlp.up_proj.weight"), 0f);
            assertEquals(List.of("model.layers.0.mlp.down_proj.weight", "model.layers.0.mlp.up_proj.bias",
                    "model.layers.0.mlp.up_proj.weight"), merged.names().stream().sorted().toList());
        }
        try (WeightStore merged = WeightStore.open(dir.resolve("merged-bf16"))) {
            assertEquals(Dtype.BF16, merged.info("model.layers.0.mlp.up_proj.weight").dtype());
            float[] rounded = mergedUp.clone();
            dev.oplora.precision.Bf16.roundInPlace(rounded);
            assertArrayEquals(rounded, merged.readFloats("model.layers.0.mlp.up_proj.weight"), 0f);
        }
    }

    private static void writeBase(TinyRegression model, Path folder) throws IOException {
        SafetensorsWriter writer = new SafetensorsWriter().metadata("format", "pt");
        for (var e : model.layers.entrySet()) {
            NDArray w = e.getValue().weight();
            writer.add(e.getKey() + ".weight", Dtype.F32, w.getShape().getShape(), w.toFloatArray());
            if (e.getValue().bias() != null) {
                writer.add(e.getKey() + ".bias", Dtype.F32, new long[] {e.getValue().outFeatures()}, e.getValue().bias().toFloatArray());
            }
        }
        writer.write(folder.resolve(WeightStore.SINGLE_FILE));
    }

    @Test
    void badAdapterFilesAreNamed() throws IOException {
        try (TinyRegression model = new TinyRegression(24)) {
            IllegalArgumentException notFolder = assertThrows(IllegalArgumentException.class, () -> PeftFiles.load(dir, model.layers));
            assertTrue(notFolder.getMessage().contains("not a PEFT adapter folder"), notFolder.getMessage());
            Files.writeString(dir.resolve(PeftFiles.CONFIG), "{\"r\": 2, \"lora_alpha\": 2, \"target_modules\": [\"up_proj\"]}");
            new SafetensorsWriter()
                    .add("base_model.model.model.layers.9.mlp.up_proj.lora_A.weight", Dtype.F32, new long[] {2, 16}, new float[32])
                    .write(dir.resolve(PeftFiles.WEIGHTS));
            SafetensorsException e = assertThrows(SafetensorsException.class, () -> PeftFiles.load(dir, model.layers));
            assertTrue(e.getMessage().contains("module 'model.layers.9.mlp.up_proj' is not a linear layer of this model"), e.getMessage());
            new SafetensorsWriter()
                    .add("base_model.model.model.layers.0.mlp.up_proj.lora_A.weight", Dtype.F32, new long[] {2, 15}, new float[30])
                    .add("base_model.model.model.layers.0.mlp.up_proj.lora_B.weight", Dtype.F32, new long[] {24, 2}, new float[48])
                    .write(dir.resolve(PeftFiles.WEIGHTS));
            e = assertThrows(SafetensorsException.class, () -> PeftFiles.load(dir, model.layers));
            assertTrue(e.getMessage().contains("do not fit a layer of 16 -> 24"), e.getMessage());
            new SafetensorsWriter()
                    .add("base_model.model.model.layers.0.mlp.up_proj.lora_A.weight", Dtype.F32, new long[] {2, 16}, new float[32])
                    .write(dir.resolve(PeftFiles.WEIGHTS));
            e = assertThrows(SafetensorsException.class, () -> PeftFiles.load(dir, model.layers));
            assertTrue(e.getMessage().contains("lora_B.weight': missing"), e.getMessage());
            new SafetensorsWriter()
                    .add("base_model.model.model.layers.0.mlp.up_proj.lora_magnitude_vector", Dtype.F32, new long[] {24}, new float[24])
                    .write(dir.resolve(PeftFiles.WEIGHTS));
            e = assertThrows(SafetensorsException.class, () -> PeftFiles.load(dir, model.layers));
            assertTrue(e.getMessage().contains("lora_magnitude_vector': a magnitude vector without lora_A and lora_B"), e.getMessage());
            new SafetensorsWriter()
                    .add("base_model.model.model.layers.0.mlp.up_proj.lora_C.weight", Dtype.F32, new long[] {2, 16}, new float[32])
                    .write(dir.resolve(PeftFiles.WEIGHTS));
            e = assertThrows(SafetensorsException.class, () -> PeftFiles.load(dir, model.layers));
            assertTrue(e.getMessage().contains("not a LoRA weight"), e.getMessage());
            assertFalse(Files.exists(dir.resolve("merged")));
        }
    }
}
