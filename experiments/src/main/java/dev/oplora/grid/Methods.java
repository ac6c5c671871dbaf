package dev.oplora.grid;

import dev.oplora.adapters.config.AdapterConfig;
import dev.oplora.adapters.config.TargetModules;
import dev.oplora.mask.MaskKind;
import java.util.ArrayList;
import java.util.List;

/**
 * The PEFT methods the command line and the grid know by name, as adapter configs over every
 * linear layer but the output head: {@code full}, {@code lora}, {@code pissa}, {@code milora},
 * {@code op-lora}, {@code op-lora-minor}, {@code op-lora-projected}, and
 * {@code sparse-<mask>} for each mask kind (e.g. {@code sparse-principal}).
 */
public final class Methods {

    private Methods() {
    }

    public static List<String> names() {
        List<String> out = new ArrayList<>(List.of("full", "lora", "pissa", "milora", "op-lora", "op-lora-minor", "op-lora-projected"));
        for (String mask : MaskKind.NAMES) {
            out.add("sparse-" + mask);
        }
        return out;
    }

    /** The adapter for {@code method} with rank r (alpha = 2r) or mask density; principal rank k (0 = default). */
    public static AdapterConfig adapter(String method, int rank, double density, int principalRank, long seed) {
        TargetModules all = TargetModules.allLinear();
        AdapterConfig config;
        if (method.equals("full")) {
            config = AdapterConfig.full(all);
        } else if (method.startsWith("sparse-")) {
            config = AdapterConfig.sparse(method.substring("sparse-".length()), density, all);
        } else if (method.equals("op-lora-projected")) {
            config = AdapterConfig.lora("op-lora", rank, 2.0 * rank, all).withProjected(true);
        } else if (List.of("lora", "pissa", "milora", "op-lora", "op-lora-minor").contains(method)) {
            config = AdapterConfig.lora(method, rank, 2.0 * rank, all);
        } else {
            throw new IllegalArgumentException("unknown method '" + method + "': expected one of " + names());
        }
        return config.withPrincipalRank(principalRank).withSeed(seed);
    }
}
