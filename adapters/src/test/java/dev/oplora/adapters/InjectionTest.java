package dev.oplora.adapters;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.oplora.adapters.config.AdapterConfig;
import dev.oplora.adapters.config.TargetModules;
import dev.oplora.init.AdapterInit;
import dev.oplora.mask.MaskKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InjectionTest {

    NDManager manager;
    Map<String, LinearLayer> layers;

    @BeforeEach
    void model() {
        manager = Engines.newManager();
        layers = new LinkedHashMap<>();
        for (int i = 0; i < 2; i++) {
            for (String p : new String[] {"self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj",
                    "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj"}) {
                layers.put("model.layers." + i + "." + p, LinearLayer.frozen(manager.randomNormal(new Shape(24, 16)), null));
            }
        }
        layers.put("lm_head", LinearLayer.frozen(manager.randomNormal(new Shape(40, 16)), null));
    }

    @AfterEach
    void close() {
        manager.close();
    }

    List<String> selected(AdapterConfig config) {
        return Injector.select(layers, config);
    }

    @Test
    void targetModuleForms() {
        assertEquals(14, selected(AdapterConfig.lora(AdapterInit.parse("lora"), 4, 8, TargetModules.allLinear())).size(), "all-linear skips lm_head");
        assertEquals(List.of("model.layers.0.self_attn.q_proj", "model.layers.0.self_attn.v_proj",
                        "model.layers.1.self_attn.q_proj", "model.layers.1.self_attn.v_proj"),
                selected(AdapterConfig.lora(AdapterInit.parse("lora"), 4, 8, TargetModules.of("q_proj", "v_proj"))));
        assertEquals(List.of("model.layers.1.mlp.up_proj"),
                selected(AdapterConfig.lora(AdapterInit.parse("lora"), 4, 8, TargetModules.of("model.layers.1.mlp.up_proj"))));
        assertEquals(List.of("model.layers.0.mlp.gate_proj", "model.layers.0.mlp.up_proj"),
                selected(AdapterConfig.lora(AdapterInit.parse("lora"), 4, 8, TargetModules.regex(".*\\.0\\.mlp\\.(gate|up)_proj"))));
        assertEquals(List.of("lm_head"), selected(AdapterConfig.lora(AdapterInit.parse("lora"), 4, 8, TargetModules.of("lm_head"))));
        // "proj" is not a suffix at a dot boundary of any name.
        assertThrows(IllegalArgumentException.class, () -> selected(AdapterConfig.lora(AdapterInit.parse("lora"), 4, 8, TargetModules.of("proj"))));
    }

    @Test
    void excludeLayersAndPatterns() throws Exception {
        AdapterConfig config = AdapterConfig.parse("""
                {"r": 4, "lora_alpha": 8, "target_modules": "all-linear", "exclude_modules": ["o_proj"],
                 "layers_to_transform": [1], "rank_pattern": {"mlp\\\\..*_proj": 2}, "alpha_pattern": {"q_proj": 3.0},
                 "init_lora_weights": "op-lora", "principal_rank": 2, "seed": 5}""");
        Injector.Injected injected = Injector.inject(layers, config);
        assertEquals(List.of("model.layers.1.self_attn.q_proj", "model.layers.1.self_attn.k_proj",
                "model.layers.1.self_attn.v_proj", "model.layers.1.mlp.gate_proj", "model.layers.1.mlp.up_proj",
                "model.layers.1.mlp.down_proj"), List.copyOf(injected.layers().keySet()));
        LoraAdapter q = (LoraAdapter) layers.get("model.layers.1.self_attn.q_proj").adapter();
        LoraAdapter up = (LoraAdapter) layers.get("model.layers.1.mlp.up_proj").adapter();
        LoraAdapter k = (LoraAdapter) layers.get("model.layers.1.self_attn.k_proj").adapter();
        assertEquals(4, q.rank());
        assertEquals(3.0 / 4, q.scaling(), 1e-12);
        assertEquals(2, up.rank());
        assertEquals(8.0 / 2, up.scaling(), 1e-12);
        assertEquals(2.0, k.scaling(), 1e-12);
        assertNull(layers.get("model.layers.0.self_attn.q_proj").adapter());
        assertTrue(q.a().sub(k.a().get(":, :")).abs().sum().getFloat() > 0, "layers draw different inits");
    }

    @Test
    void everyAdapterTypeInjects() {
        Injector.inject(layers, AdapterConfig.sparse(MaskKind.parse("principal-complement"), 0.25, TargetModules.of("up_proj")));
        assertInstanceOf(SparseAdapter.class, layers.get("model.layers.0.mlp.up_proj").adapter());
        assertEquals(96, layers.get("model.layers.0.mlp.up_proj").trainableParameterCount());
        Injector.inject(layers, AdapterConfig.full(TargetModules.of("down_proj")));
        assertInstanceOf(FullAdapter.class, layers.get("model.layers.1.mlp.down_proj").adapter());
        Injector.inject(layers, AdapterConfig.lora(AdapterInit.parse("pissa"), 2, 4, TargetModules.of("q_proj")));
        assertTrue(((LoraAdapter) layers.get("model.layers.0.self_attn.q_proj").adapter()).hasResidualBase());
    }

    @Test
    void badConfigsAreNamed(@TempDir Path dir) throws Exception {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> selected(AdapterConfig.lora(AdapterInit.parse("lora"), 4, 8, TargetModules.of("c_attn"))));
        assertTrue(e.getMessage().contains("target_modules [c_attn] matches no linear layer; available: [model.layers.0.self_attn.q_proj"), e.getMessage());
        AdapterConfig badPattern = AdapterConfig.parse("{\"target_modules\": [\"q_proj\"], \"rank_pattern\": {\"up_proj\": 2}}");
        e = assertThrows(IllegalArgumentException.class, () -> selected(badPattern));
        assertTrue(e.getMessage().contains("rank_pattern key 'up_proj' matches no targeted module"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> AdapterConfig.parse("{\"r\": 4, \"lora_alpah\": 8}"));
        assertEquals("unknown adapter config field 'lora_alpah'", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> AdapterConfig.parse("{\"r\": 0}"));
        assertTrue(e.getMessage().contains("adapter config field 'r' must be positive, got 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> AdapterConfig.parse("{\"init_lora_weights\": \"loftq\"}"));
        assertTrue(e.getMessage().contains("'init_lora_weights': unknown init_lora_weights 'loftq'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> AdapterConfig.parse("{\"adapter_type\": \"sparse\", \"density\": 0.1}"));
        assertTrue(e.getMessage().contains("'mask' is required for adapter_type \"sparse\""), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> AdapterConfig.parse("{\"adapter_type\": \"sparse\", \"mask\": \"principal\", \"density\": 2}"));
        assertTrue(e.getMessage().contains("'density' must be in (0, 1]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> AdapterConfig.parse("{\"lora_dropout\": 1.5}"));
        assertTrue(e.getMessage().contains("'lora_dropout' must be in [0, 1)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> AdapterConfig.parse("{\"target_modules\": \"[unclosed\"}"));
        assertTrue(e.getMessage().contains("not a valid regular expression"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Injector.inject(layers, AdapterConfig.lora(AdapterInit.parse("op-lora"), 4, 8, TargetModules.of("q_proj")).withPrincipalRank(16)));
        assertTrue(e.getMessage().contains("module 'model.layers.0.self_attn.q_proj' [24x16]: principal_rank must be in [1, 15]"), e.getMessage());
        Path file = dir.resolve("adapter_config.json");
        Files.writeString(file, "{\"r\": 4, \"surprise\": true}");
        e = assertThrows(IllegalArgumentException.class, () -> AdapterConfig.read(file));
        assertEquals(file + ": unknown adapter config field 'surprise'", e.getMessage());
    }

    @Test
    void peftConfigsReadAndOurConfigsRoundTrip(@TempDir Path dir) throws Exception {
        // A config as PEFT writes it: extra PEFT fields are accepted, true means the default init.
        AdapterConfig peft = AdapterConfig.parse("""
                {"alpha_pattern": {}, "auto_mapping": null, "base_model_name_or_path": "Qwen/Qwen2.5-0.5B",
                 "bias": "none", "fan_in_fan_out": false, "inference_mode": true, "init_lora_weights": true,
                 "layers_pattern": null, "layers_to_transform": null, "loftq_config": {}, "lora_alpha": 32,
                 "lora_dropout": 0.05, "megatron_config": null, "megatron_core": "megatron.core",
                 "modules_to_save": null, "peft_type": "LORA", "r": 16, "rank_pattern": {}, "revision": null,
                 "target_modules": ["q_proj", "v_proj"], "task_type": "CAUSAL_LM", "use_dora": false, "use_rslora": false}""");
        assertEquals(16, peft.r());
        assertEquals(32.0, peft.loraAlpha());
        assertEquals(new AdapterInit.Lora(false), peft.initLoraWeights(), "PEFT's true is its default init");
        assertEquals(TargetModules.of("q_proj", "v_proj"), peft.targetModules());
        AdapterConfig ours = AdapterConfig.lora(AdapterInit.parse("op-lora"), 8, 16, TargetModules.allLinear()).withProjected(true).withSeed(3);
        Path file = dir.resolve("c.json");
        ours.write(file);
        assertEquals(ours, AdapterConfig.read(file));
        assertTrue(Files.readString(file).contains("\"target_modules\" : \"all-linear\""));
    }
}
