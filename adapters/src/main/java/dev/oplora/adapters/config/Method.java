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
 * {@code op-lora-projected}, {@code dora}, {@code op-dora}, {@code op-dora-projected},
 * {@code op-lora-kaiming}, {@code op-lora-kaiming-projected}, {@code orthogonal}, {@code olora},
 * {@code pissa_niter_4}) or {@code sparse-<mask>}. Each owns its name and the adapter
 * config it stands for, over every linear layer but the output head.
 */
public sealed interface Method permits Method.LowRank, Method.Sparse, Method.Full {

    /** The name in configs and on the command line. */
    @JsonValue
    String name();

    /** The adapter: rank r with alpha = 2r for low-rank methods, {@code density} for sparse ones. */
    AdapterConfig adapter(int rank, double density, int principalRank, long seed);

    /**
     * A LoRA-family adapter from {@code init}, optionally DoRA ({@code dora}: "lora" becomes
     * "dora" in the name), with op-lora's rows at LoRA's kaiming scale ({@code -kaiming}), kept off
     * the principal subspaces ({@code -projected}).
     */
    record LowRank(AdapterInit init, boolean projected, boolean dora, A0Norm a0Norm) implements Method {
        public LowRank(AdapterInit init, boolean projected) {
            this(init, projected, false, A0Norm.ORTHONORMAL);
        }

        @Override
        public String name() {
            String base = dora ? init.name().replace("lora", "dora") : init.name();
            return base + (a0Norm == A0Norm.KAIMING ? "-kaiming" : "") + (projected ? "-projected" : "");
        }

        @Override
        public AdapterConfig adapter(int rank, double density, int principalRank, long seed) {
            return AdapterConfig.lora(init, rank, 2.0 * rank, TargetModules.allLinear()).withProjected(projected)
                    .withDora(dora).withA0Norm(a0Norm).withPrincipalRank(principalRank).withSeed(seed);
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
        out.add(new LowRank(new AdapterInit.Lora(false), false, true, A0Norm.ORTHONORMAL));
        out.add(new LowRank(new AdapterInit.OpLora(), false, true, A0Norm.ORTHONORMAL));
        out.add(new LowRank(new AdapterInit.OpLora(), true, true, A0Norm.ORTHONORMAL));
        out.add(new LowRank(new AdapterInit.OpLora(), false, false, A0Norm.KAIMING));
        out.add(new LowRank(new AdapterInit.OpLora(), true, false, A0Norm.KAIMING));
        for (String init : List.of("orthogonal", "olora", "pissa_niter_4")) {
            out.add(new LowRank(AdapterInit.parse(init), false));
        }
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
