package dev.oplora.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.oplora.adapters.ComputeDevice;
import dev.oplora.adapters.Engines;
import dev.oplora.adapters.config.AdapterConfig;
import dev.oplora.adapters.config.AdapterType;
import dev.oplora.adapters.config.Method;
import dev.oplora.init.AdapterInit;
import dev.oplora.mask.MaskKind;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Config files of any kind read through one place: typed closed sets, errors naming file, kind and field path. */
class ConfigFilesTest {

    /** A config that nests an adapter config and holds a list of typed names, as train and grid configs do. */
    record Outer(@JsonProperty("adapter") AdapterConfig adapter, @JsonProperty("types") List<AdapterType> types,
                 @JsonProperty("steps") Integer steps) {
        Outer {
            FieldException.require(steps == null || steps > 0, "steps", "must be positive, got " + steps);
        }
    }

    enum Color implements ConfigName {
        RED, DARK_BLUE;

        @JsonCreator
        static Color parse(String value) {
            return ConfigNames.parse(Color.class, "color", value);
        }
    }

    @Test
    void closedSetsKeepTheirSpellingBothWays() {
        AdapterConfig c = AdapterConfig.parse("{\"adapter_type\": \"SPARSE\", \"mask\": \"principal_complement\","
                + " \"density\": 0.2, \"init_lora_weights\": true}");
        assertEquals(AdapterType.SPARSE, c.adapterType());
        assertInstanceOf(MaskKind.PrincipalComplement.class, c.mask());
        assertEquals(new AdapterInit.Lora(false), c.initLoraWeights(), "PEFT's boolean true is the default init");
        String json = c.toJson();
        assertTrue(json.contains("\"adapter_type\" : \"sparse\"") && json.contains("\"mask\" : \"principal-complement\"")
                && json.contains("\"init_lora_weights\" : \"lora\""), json);
        assertEquals(c, AdapterConfig.parse(json));
        assertEquals("dark_blue", Color.DARK_BLUE.configName());
        assertEquals(List.of("red", "dark_blue"), ConfigNames.names(Color.class));
        assertEquals(Color.DARK_BLUE, Color.parse(" Dark_Blue "));
        FieldException e = assertThrows(FieldException.class, () -> Color.parse("green"));
        assertEquals("field 'color' must be one of [red, dark_blue], got \"green\"", e.getMessage());
    }

    @Test
    void errorsNameFileKindAndFieldPath(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("outer.json");
        assertEquals(file + ": unknown test config field 'adapter.lora_alpah'",
                failure(file, "{\"adapter\": {\"lora_alpah\": 2}}"));
        assertEquals(file + ": test config field 'adapter.r' must be positive, got 0",
                failure(file, "{\"adapter\": {\"r\": 0}}"));
        assertEquals(file + ": test config field 'adapter.adapter_type' must be one of [lora, sparse, full], got \"dense\"",
                failure(file, "{\"adapter\": {\"adapter_type\": \"dense\"}}"));
        assertEquals(file + ": test config field 'types[1]' must be one of [lora, sparse, full], got \"dora\"",
                failure(file, "{\"types\": [\"lora\", \"dora\"]}"));
        assertEquals(file + ": test config field 'steps' must be positive, got -1", failure(file, "{\"steps\": -1}"));
        String mask = failure(file, "{\"adapter\": {\"adapter_type\": \"sparse\", \"mask\": \"top\", \"density\": 0.1}}");
        assertTrue(mask.startsWith(file + ": test config field 'adapter.mask': unknown mask 'top'"), mask);
        String type = failure(file, "{\"steps\": \"many\"}");
        assertTrue(type.startsWith(file + ": test config field 'steps': "), type);
        String syntax = failure(file, "{\"steps\": ");
        assertTrue(syntax.startsWith(file + ": test config: "), syntax);
        NoSuchFileException missing = assertThrows(NoSuchFileException.class,
                () -> ConfigFiles.read(dir.resolve("absent.json"), Outer.class, "test config"));
        assertTrue(missing.getMessage().contains("absent.json") && missing.getMessage().contains("test config not found"));
    }

    @Test
    void overlayReplacesOnlyTheGivenFields() {
        Outer base = ConfigFiles.parse("{\"adapter\": {\"r\": 4}, \"steps\": 3}", Outer.class, "test config");
        Outer changed = ConfigFiles.overlay(base, ConfigFiles.JSON.createObjectNode().put("steps", 7), Outer.class, "test config");
        assertEquals(7, changed.steps());
        assertEquals(base.adapter(), changed.adapter());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ConfigFiles.overlay(base,
                ConfigFiles.JSON.createObjectNode().put("step", 7), Outer.class, "test config"));
        assertEquals("unknown test config field 'step'", e.getMessage());
    }

    @Test
    void methodsOwnTheirNamesAndAdapters() {
        assertEquals(List.of("full", "lora", "pissa", "milora", "op-lora", "op-lora-minor", "op-lora-projected",
                "dora", "op-dora", "op-dora-projected", "op-lora-kaiming", "op-lora-kaiming-projected", "orthogonal", "olora",
                "pissa_niter_4", "sparse-random", "sparse-magnitude-top", "sparse-magnitude-low", "sparse-principal",
                "sparse-principal-complement", "sparse-low-union-complement"), Method.names());
        for (Method m : Method.all()) {
            assertEquals(m, Method.parse(m.name()));
            AdapterConfig adapter = m.adapter(16, 0.3, 8, 5);
            assertEquals(adapter, AdapterConfig.parse(adapter.toJson()), m.name() + " config round-trips");
            assertEquals(5, adapter.seed());
            assertEquals(8, adapter.principalRank());
        }
        AdapterConfig projected = Method.parse("op-lora-projected").adapter(16, 0.3, 0, 1);
        assertTrue(projected.projected() && projected.initLoraWeights() instanceof AdapterInit.OpLora);
        assertEquals(32.0, projected.loraAlpha(), "alpha = 2r");
        assertEquals(0.3, Method.parse("sparse-principal").adapter(16, 0.3, 0, 1).density());
        IllegalArgumentException olora = assertThrows(IllegalArgumentException.class,
                () -> AdapterConfig.parse("{\"init_lora_weights\": \"olora\", \"projected\": true}"));
        assertTrue(olora.getMessage().contains("adapter config field 'projected'"), olora.getMessage());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Method.parse("loha"));
        assertTrue(e.getMessage().startsWith("unknown method 'loha': expected one of [full, lora, "), e.getMessage());
    }

    @Test
    void devicesParseAndCudaWithoutACudaEngineIsNamed() {
        assertEquals(ComputeDevice.CPU, ComputeDevice.parse("CPU"));
        assertEquals("cuda:0", ComputeDevice.parse("cuda").toString());
        assertEquals(new ComputeDevice(3), ComputeDevice.parse("cuda:3"));
        FieldException bad = assertThrows(FieldException.class, () -> ComputeDevice.parse("gpu"));
        assertEquals("field 'device' must be cpu, cuda or cuda:N, got \"gpu\"", bad.getMessage());
        if (Engines.pytorch().getGpuCount() == 0) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> Engines.newManager(ComputeDevice.parse("cuda")));
            assertTrue(e.getMessage().contains("device 'cuda:0' asked for") && e.getMessage().contains("cuda-djl"), e.getMessage());
        }
        assertEquals("cpu", Engines.newManager(ComputeDevice.CPU).getDevice().getDeviceType());
    }

    private static String failure(Path file, String json) throws Exception {
        Files.writeString(file, json);
        return assertThrows(IllegalArgumentException.class, () -> ConfigFiles.read(file, Outer.class, "test config")).getMessage();
    }
}
