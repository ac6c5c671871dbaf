package dev.oplora.adapters;

import dev.oplora.adapters.config.AdapterConfig;
import dev.oplora.init.InitOptions;
import dev.oplora.mask.MaskOptions;
import dev.oplora.svd.SvdCache;
import dev.oplora.svd.SvdSolver;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Wraps every linear layer an {@link AdapterConfig} targets with the adapter it asks for. Layers
 * are addressed by their Hugging Face path ({@code model.layers.0.self_attn.q_proj}).
 */
public final class Injector {

    private static final Pattern LAYER_INDEX = Pattern.compile("(?:^|\\.)layers\\.(\\d+)\\.");

    private Injector() {
    }

    /** The adapted layers, by path, in model order. */
    public record Injected(AdapterConfig config, Map<String, LinearLayer> layers) {
    }

    /** Module paths the config selects, in model order; errors list the available names. */
    public static List<String> select(Map<String, LinearLayer> available, AdapterConfig config) {
        List<String> chosen = new ArrayList<>();
        for (String name : available.keySet()) {
            boolean output = name.equals("lm_head") || name.endsWith(".lm_head");
            if (!config.targetModules().matches(name, output)) {
                continue;
            }
            if (config.excludeModules() != null && config.excludeModules().matches(name, output)) {
                continue;
            }
            if (config.layersToTransform() != null && !config.layersToTransform().contains(layerIndex(name))) {
                continue;
            }
            chosen.add(name);
        }
        if (chosen.isEmpty()) {
            throw new IllegalArgumentException("target_modules " + config.targetModules().toJsonText()
                    + " matches no linear layer; available: " + available.keySet());
        }
        for (String key : config.rankPattern().keySet()) {
            requirePatternMatches("rank_pattern", key, chosen, available);
        }
        for (String key : config.alphaPattern().keySet()) {
            requirePatternMatches("alpha_pattern", key, chosen, available);
        }
        return chosen;
    }

    /** Injects into every selected layer, with the config's SVD solver and no cache. */
    public static Injected inject(Map<String, LinearLayer> available, AdapterConfig config) {
        return inject(available, config, config.solver());
    }

    /** Injects into every selected layer. {@code cache} (nullable) shares SVDs across runs. */
    public static Injected inject(Map<String, LinearLayer> available, AdapterConfig config, SvdCache cache) {
        SvdSolver solver = config.solver();
        return inject(available, config, cache == null ? solver : new SvdSolver.Cached(solver, cache));
    }

    /** Injects into every selected layer, decomposing weights with {@code solver}. */
    public static Injected inject(Map<String, LinearLayer> available, AdapterConfig config, SvdSolver solver) {
        Map<String, LinearLayer> adapted = new LinkedHashMap<>();
        for (String name : select(available, config)) {
            LinearLayer layer = available.get(name);
            try {
                attach(layer, name, config, solver);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("module '" + name + "' [" + layer.outFeatures() + "x"
                        + layer.inFeatures() + "]: " + e.getMessage(), e);
            }
            adapted.put(name, layer);
        }
        return new Injected(config, adapted);
    }

    private static void attach(LinearLayer layer, String name, AdapterConfig config, SvdSolver solver) {
        long seed = layerSeed(config.seed(), name);
        switch (config.adapterType()) {
            case LORA -> {
                InitOptions options = new InitOptions(rankFor(name, config), alphaFor(name, config), config.useRslora(),
                        config.principalRank(), seed, solver, config.a0Norm().rowScale());
                LoraAdapter lora = LoraAdapter.attach(layer, config.initLoraWeights(), options,
                        config.loraDropout().floatValue(), config.projected());
                if (config.useDora()) {
                    lora.withDora(layer);
                }
            }
            case SPARSE -> SparseAdapter.attach(layer, config.mask(),
                    new MaskOptions(config.density(), config.principalRank(), seed, solver));
            case FULL -> FullAdapter.attach(layer);
        }
    }

    /** Rank for a module: the rank_pattern entry matching its name's end, else r. */
    public static int rankFor(String module, AdapterConfig config) {
        for (Map.Entry<String, Integer> e : config.rankPattern().entrySet()) {
            if (patternMatches(e.getKey(), module)) {
                return e.getValue();
            }
        }
        return config.r();
    }

    /** lora_alpha for a module: the alpha_pattern entry matching its name's end, else lora_alpha. */
    public static double alphaFor(String module, AdapterConfig config) {
        for (Map.Entry<String, Double> e : config.alphaPattern().entrySet()) {
            if (patternMatches(e.getKey(), module)) {
                return e.getValue();
            }
        }
        return config.loraAlpha();
    }

    /** PEFT's rule: the key, as a regex, matches the end of the name at a dot boundary. */
    static boolean patternMatches(String key, String module) {
        return Pattern.compile("(.*\\.)?(" + key + ")$").matcher(module).matches();
    }

    static Integer layerIndex(String module) {
        Matcher m = LAYER_INDEX.matcher(module);
        return m.find() ? Integer.valueOf(m.group(1)) : null;
    }

    /** A per-layer seed, so layers draw different random inits from one config seed. */
    static long layerSeed(long seed, String module) {
        long h = seed * 0x9E3779B97F4A7C15L + module.hashCode();
        h ^= h >>> 33;
        return h * 0xff51afd7ed558ccdL;
    }

    private static void requirePatternMatches(String field, String key, List<String> chosen, Map<String, LinearLayer> available) {
        for (String name : chosen) {
            if (patternMatches(key, name)) {
                return;
            }
        }
        throw new IllegalArgumentException(field + " key '" + key + "' matches no targeted module; targeted: " + chosen
                + "; available: " + available.keySet());
    }
}
