package dev.oplora.adapters.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.oplora.init.AdapterInit;
import dev.oplora.mask.MaskKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A PEFT method by name, as the command line and the grid know it: {@code full}, a low-rank
 * method ({@code lora}, {@code pissa}, {@code milora}, {@code op-lora}, {@code op-lora-minor},
 * {@code op-lora-projected}) or {@code sparse-<mask>}. Each owns its name and the adapter
 * config it stands for, over every linear layer but the output head.
 */
public sealed interface Method permits Method.LowRank, Method.Sparse, Method.Full {

    /** The name in configs and on the command line. */
    @JsonValue
    String name();

    /** The adapter: rank r with alpha = 2r for low-rank methods, {@code density} for sparse ones. */
    AdapterConfig adapter(int rank, double density, int principalRank, long seed);

    /** A LoRA-family adapter from {@code init}, optionally kept off the principal subspaces. */
    record LowRank(AdapterInit init, boolean projected) implements Method {
        @Override
        public String name() {
            return init.name() + (projected ? "-projected" : "");
        }

        @Override
        public AdapterConfig adapter(int rank, double density, int principalRank, long seed) {
            return AdapterConfig.lora(init, rank, 2.0 * rank, TargetModules.allLinear()).withProjected(projected)
                    .withPrincipalRank(principalRank).withSeed(seed);
        }
    }

    /** Sparse fine-tuning over a fixed mask. */
    record Sparse(MaskKind mask) implements Method {
        @Override
        public String name() {
            return "sparse-" + mask.name();
        }

        @Override
        public AdapterConfig adapter(int rank, double density, int principalRank, long seed) {
            return AdapterConfig.sparse(mask, density, TargetModules.allLinear()).withPrincipalRank(principalRank)
                    .withSeed(seed);
        }
    }

    /** Every linear weight trainable: the reference. */
    record Full() implements Method {
        @Override
        public String name() {
            return "full";
        }

        @Override
        public AdapterConfig adapter(int rank, double density, int principalRank, long seed) {
            return AdapterConfig.full(TargetModules.allLinear()).withPrincipalRank(principalRank).withSeed(seed);
        }
    }

    /** Every method, in the order help texts and errors list them. */
    static List<Method> all() {
        List<Method> out = new ArrayList<>(List.of(new Full()));
        for (String init : List.of("lora", "pissa", "milora", "op-lora", "op-lora-minor")) {
            out.add(new LowRank(AdapterInit.parse(init), false));
        }
        out.add(new LowRank(new AdapterInit.OpLora(), true));
        for (String mask : MaskKind.NAMES) {
            out.add(new Sparse(MaskKind.parse(mask)));
        }
        return out;
    }

    /** The names of {@link #all()}. */
    static List<String> names() {
        return all().stream().map(Method::name).toList();
    }

    /** The method called {@code name}; otherwise an error listing every name. */
    @JsonCreator
    static Method parse(String name) {
        String key = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        for (Method m : all()) {
            if (m.name().equals(key)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown method '" + name + "': expected one of " + names());
    }
}
