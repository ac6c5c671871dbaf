package dev.oplora.adapters;

import dev.oplora.files.AtomicFiles;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.oplora.adapters.config.AdapterConfig;
import dev.oplora.config.ConfigFiles;
import dev.oplora.adapters.config.AdapterType;
import dev.oplora.adapters.config.TargetModules;
import dev.oplora.safetensors.Dtype;
import dev.oplora.safetensors.SafetensorsException;
import dev.oplora.safetensors.SafetensorsFile;
import dev.oplora.safetensors.SafetensorsWriter;
import dev.oplora.safetensors.TensorInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * LoRA adapters in Hugging Face PEFT's on-disk layout: {@code adapter_config.json} and
 * {@code adapter_model.safetensors} with keys {@code base_model.model.<path>.lora_A.weight}
 * [r, in] and {@code .lora_B.weight} [out, r], metadata {@code {"format": "pt"}}.
 *
 * <p>PEFT must be able to load what is written, so {@code init_lora_weights} is written as
 * {@code true} (the weights already hold the init) and oplora's init name goes in
 * {@code oplora_init}. Adapters over a residual base (pissa, milora) are exported as plain LoRA
 * of rank 2r against the original weights, as PEFT converts them: A' = [A; A0],
 * B' = [B, -B0], with lora_alpha chosen so the scaling is unchanged (2 alpha, or sqrt(2) alpha
 * with rsLoRA), so that W + s B' A' equals the trained weight.
 */
public final class PeftFiles {

    public static final String CONFIG = "adapter_config.json";
    /** DoRA's magnitude vector [out], as PEFT names it. */
    static final String MAGNITUDE = "lora_magnitude_vector";
    public static final String WEIGHTS = "adapter_model.safetensors";
    public static final String PREFIX = "base_model.model.";

    private static final Pattern KEY = Pattern.compile(Pattern.quote(PREFIX) + "(.+)\\.(?:lora_([AB])\\.weight|(lora_magnitude_vector))");

    private PeftFiles() {
    }

    /** Writes the LoRA adapters of {@code injected} to {@code dir} (weights first, then config). */
    public static void save(Path dir, Injector.Injected injected, String baseModel) throws IOException {
        SafetensorsWriter writer = new SafetensorsWriter().metadata("format", "pt");
        boolean residual = false;
        boolean plain = false;
        for (Map.Entry<String, LinearLayer> e : injected.layers().entrySet()) {
            if (!(e.getValue().adapter() instanceof LoraAdapter lora)) {
                throw new IllegalArgumentException("module '" + e.getKey() + "' holds a "
                        + e.getValue().adapter().kind() + " adapter; PEFT files hold LoRA adapters only");
            }
            NDArray a = lora.a();
            NDArray b = lora.b();
            if (lora.hasResidualBase()) {
                a = a.concat(lora.initialA(), 0);
                b = b.concat(lora.initialB().neg(), 1);
                residual = true;
            } else {
                plain = true;
            }
            writer.add(PREFIX + e.getKey() + ".lora_A.weight", Dtype.F32, a.getShape().getShape(), a.toFloatArray());
            writer.add(PREFIX + e.getKey() + ".lora_B.weight", Dtype.F32, b.getShape().getShape(), b.toFloatArray());
            if (lora.magnitude() != null) {
                writer.add(PREFIX + e.getKey() + "." + MAGNITUDE, Dtype.F32, lora.magnitude().getShape().getShape(),
                        lora.magnitude().toFloatArray());
            }
        }
        if (residual && plain) {
            throw new IllegalStateException("mixed residual and plain LoRA modules cannot share one exported rank");
        }
        Files.createDirectories(dir);
        writer.write(dir.resolve(WEIGHTS));
        AtomicFiles.writeJson(dir.resolve(CONFIG), exportedConfig(injected, residual, baseModel));
    }

    private static ObjectNode exportedConfig(Injector.Injected injected, boolean residual, String baseModel) {
        AdapterConfig c = injected.config();
        double factor = residual ? 2 : 1;
        double alphaFactor = !residual ? 1 : c.useRslora() ? Math.sqrt(2) : 2;
        Map<String, Integer> ranks = new TreeMap<>();
        c.rankPattern().forEach((k, v) -> ranks.put(k, (int) (v * factor)));
        Map<String, Double> alphas = new TreeMap<>();
        c.alphaPattern().forEach((k, v) -> alphas.put(k, v * alphaFactor));
        // The exported adapter is plain LoRA over the listed modules, at the exported rank and alpha.
        AdapterConfig exported = c.toBuilder().adapterType(AdapterType.LORA).r((int) (c.r() * factor))
                .loraAlpha(c.loraAlpha() * alphaFactor).targetModules(new TargetModules(new ArrayList<>(injected.layers().keySet()), null))
                .excludeModules(null).layersToTransform(null).rankPattern(ranks).alphaPattern(alphas).initLoraWeights(null)
                .mask(null).density(null).build();
        ObjectNode node = ConfigFiles.JSON.valueToTree(exported);
        node.put("init_lora_weights", true);
        node.put("oplora_init", c.initLoraWeights().name());
        node.put("task_type", "CAUSAL_LM");
        node.put("bias", "none");
        node.put("fan_in_fan_out", false);
        if (baseModel != null) {
            node.put("base_model_name_or_path", baseModel);
        }
        return node;
    }

    /** Reads a PEFT adapter folder and attaches its LoRA adapters to {@code layers}. */
    public static Injector.Injected load(Path dir, Map<String, LinearLayer> layers) throws IOException {
        Path configFile = dir.resolve(CONFIG);
        if (!Files.isRegularFile(configFile)) {
            throw new IllegalArgumentException(dir + ": not a PEFT adapter folder (no " + CONFIG + ")");
        }
        AdapterConfig config = readConfig(configFile);
        Map<String, NDArray[]> factors = new LinkedHashMap<>();
        Map<String, NDArray> magnitudes = new LinkedHashMap<>();
        Path weights = dir.resolve(WEIGHTS);
        NDManager manager = layers.values().iterator().next().weight().getManager();
        try (SafetensorsFile file = SafetensorsFile.open(weights)) {
            for (TensorInfo t : file.tensors()) {
                Matcher m = KEY.matcher(t.name());
                if (!m.matches()) {
                    throw new SafetensorsException(weights, t.name(), "not a LoRA weight (expected "
                            + PREFIX + "<module>.lora_A.weight, .lora_B.weight or .lora_magnitude_vector)");
                }
                String module = m.group(1);
                if (!layers.containsKey(module)) {
                    throw new SafetensorsException(weights, t.name(), "module '" + module
                            + "' is not a linear layer of this model; available: " + layers.keySet());
                }
                NDArray array = manager.create(file.readFloats(t.name()), new Shape(t.shape()));
                if (m.group(3) != null) {
                    magnitudes.put(module, array);
                    continue;
                }
                if (t.rank() != 2) {
                    throw new SafetensorsException(weights, t.name(), "must be 2-D, got " + java.util.Arrays.toString(t.shape()));
                }
                factors.computeIfAbsent(module, k -> new NDArray[2])[m.group(2).equals("A") ? 0 : 1] = array;
            }
        }
        Map<String, LinearLayer> adapted = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray[]> e : factors.entrySet()) {
            String module = e.getKey();
            NDArray[] ab = e.getValue();
            if (ab[0] == null || ab[1] == null) {
                throw new SafetensorsException(weights, PREFIX + module + (ab[0] == null ? ".lora_A.weight" : ".lora_B.weight"),
                        "missing: every module needs both lora_A and lora_B");
            }
            long rank = ab[0].getShape().get(0);
            double alpha = Injector.alphaFor(module, config);
            double scaling = config.useRslora() ? alpha / Math.sqrt(rank) : alpha / rank;
            try {
                LoraAdapter lora = LoraAdapter.attach(layers.get(module), ab[0], ab[1], scaling, "loaded");
                if (magnitudes.containsKey(module)) {
                    lora.withDora(layers.get(module), magnitudes.remove(module));
                } else if (config.useDora()) {
                    throw new IllegalArgumentException("use_dora is set but " + MAGNITUDE + " is missing");
                }
            } catch (IllegalArgumentException ex) {
                throw new SafetensorsException(weights, PREFIX + module + ".lora_A.weight", ex.getMessage());
            }
            adapted.put(module, layers.get(module));
        }
        if (!magnitudes.isEmpty()) {
            throw new SafetensorsException(weights, PREFIX + magnitudes.keySet().iterator().next() + "." + MAGNITUDE,
                    "a magnitude vector without lora_A and lora_B");
        }
        if (adapted.isEmpty()) {
            throw new SafetensorsException(weights, "holds no LoRA weights");
        }
        return new Injector.Injected(config, adapted);
    }

    private static AdapterConfig readConfig(Path file) throws IOException {
        ObjectNode node = ConfigFiles.readObject(file, AdapterConfig.KIND);
        // A loaded adapter's weights already hold its init; keep oplora's name when present.
        JsonNode init = node.remove("oplora_init");
        node.put("init_lora_weights", init != null ? init.asText() : "lora");
        return ConfigFiles.fromTree(file, node, AdapterConfig.class, AdapterConfig.KIND);
    }
}
