package dev.oplora.init;

import static dev.oplora.svd.MatrixChecks.requireFiniteMatrix;
import static dev.oplora.svd.MatrixChecks.requirePrincipalRank;
import static dev.oplora.svd.MatrixChecks.requireRank;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.oplora.svd.OffPrincipal;
import dev.oplora.svd.Subspace;
import dev.oplora.svd.Svd;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * How a LoRA-family adapter starts, as pure functions from W (out x in) to (A0, B0, residual):
 * one small record per option, named as in configs ({@code init_lora_weights}).
 *
 * <ul>
 *   <li>{@code lora}: A0 kaiming-uniform with bound 1/sqrt(in) (PEFT's default), B0 = 0;
 *       {@code lora-gaussian}: A0 ~ N(0, std 1/r) as PEFT's "gaussian"; base untouched.</li>
 *   <li>{@code pissa}: A0 = sqrt(S_r/s) V_r^T, B0 = U_r sqrt(S_r/s) from the top r triplets;
 *       base becomes W - s B0 A0. Trains the principal subspace.</li>
 *   <li>{@code milora}: the same from the bottom r triplets (minor components).</li>
 *   <li>{@code op-lora}: B0 = 0, A0 = r random orthonormal rows inside the complement of
 *       span(V_k); base untouched, so step 0 is the reference policy.</li>
 *   <li>{@code op-lora-minor}: B0 = 0, A0 = the bottom r right singular vectors.</li>
 * </ul>
 */
public sealed interface AdapterInit
        permits AdapterInit.Lora, AdapterInit.Pissa, AdapterInit.Milora, AdapterInit.OpLora, AdapterInit.OpLoraMinor {

    /** Names accepted by {@link #parse}, as written in configs. */
    List<String> NAMES = List.of("lora", "lora-gaussian", "pissa", "milora", "op-lora", "op-lora-minor");

    /** The config name. */
    @JsonValue
    String name();

    /** Computes the init; W is not modified. */
    LowRankInit apply(INDArray w, InitOptions options);

    /**
     * The init together with the top-k principal triplets of W (k from the options), for
     * adapters kept off the principal subspaces: W is decomposed once, reusing the triplets
     * the init computed (op-lora) or, for inits that compute none, by one top-k solve.
     */
    default LowRankInit applyWithPrincipal(INDArray w, InitOptions options) {
        LowRankInit start = apply(w, options);
        if (start.principal() != null) {
            return start;
        }
        int k = requirePrincipalRank("principal_rank", options.principalRankFor(w.rows(), w.columns()), w);
        return start.withPrincipal(options.solver().top(w, k));
    }

    /** Whether the init moves part of W into the adapter and replaces the base weight by the residual. */
    default boolean replacesBase() {
        return this instanceof Pissa || this instanceof Milora;
    }

    /** Looks up an init by config name; PEFT's {@code true}, {@code default} and {@code gaussian} are accepted too. */
    /** Reads a config value: a name, or PEFT's boolean {@code true} (the default init). */
    @JsonCreator
    static AdapterInit fromJson(Object value) {
        return parse(String.valueOf(value));
    }

    static AdapterInit parse(String name) {
        String key = name == null ? "" : name.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        return switch (key) {
            case "lora", "true", "default", "kaiming" -> new Lora(false);
            case "lora-gaussian", "gaussian" -> new Lora(true);
            case "pissa" -> new Pissa();
            case "milora" -> new Milora();
            case "op-lora", "oplora" -> new OpLora();
            case "op-lora-minor" -> new OpLoraMinor();
            default -> throw new IllegalArgumentException("unknown init_lora_weights '" + name + "': expected one of " + NAMES);
        };
    }

    /** Plain LoRA: random A0, zero B0. */
    record Lora(boolean gaussian) implements AdapterInit {
        @Override
        public String name() {
            return gaussian ? "lora-gaussian" : "lora";
        }

        @Override
        public LowRankInit apply(INDArray w, InitOptions o) {
            checked(w, o);
            SplittableRandom random = new SplittableRandom(o.seed());
            long in = w.columns();
            double[] a = new double[Math.toIntExact(o.rank() * in)];
            double bound = 1 / Math.sqrt(in);
            for (int i = 0; i < a.length; i++) {
                a[i] = gaussian ? random.nextGaussian() / o.rank() : random.nextDouble(-bound, bound);
            }
            INDArray a0 = Nd4j.create(a, new long[] {o.rank(), in}, DataType.DOUBLE).castTo(w.dataType());
            return new LowRankInit(a0, zeros(w, w.rows(), o.rank()), null, o.scaling());
        }
    }

    /** Principal singular components in the adapter, residual in the base (PiSSA). */
    record Pissa() implements AdapterInit {
        @Override
        public String name() {
            return "pissa";
        }

        @Override
        public LowRankInit apply(INDArray w, InitOptions o) {
            checked(w, o);
            return splitOff(w, o.solver().top(w, o.rank()), o.scaling());
        }
    }

    /** Minor singular components in the adapter, residual in the base (MiLoRA). */
    record Milora() implements AdapterInit {
        @Override
        public String name() {
            return "milora";
        }

        @Override
        public LowRankInit apply(INDArray w, InitOptions o) {
            checked(w, o);
            return splitOff(w, o.solver().bottom(w, o.rank()), o.scaling());
        }
    }

    /** Zero B0, A0 orthonormal and orthogonal to the top-k right singular subspace. */
    record OpLora() implements AdapterInit {
        @Override
        public String name() {
            return "op-lora";
        }

        @Override
        public LowRankInit apply(INDArray w, InitOptions o) {
            checked(w, o);
            int k = requirePrincipalRank("principal_rank", o.principalRankFor(w.rows(), w.columns()), w);
            if (o.rank() > w.columns() - k) {
                throw new IllegalArgumentException("rank r = " + o.rank() + " does not fit in the " + (w.columns() - k)
                        + "-dimensional complement of the top-" + k + " right singular subspace of a "
                        + w.rows() + "x" + w.columns() + " matrix");
            }
            Svd top = o.solver().top(w, k);
            INDArray a0 = offPrincipalOrthonormalRows(Subspace.right(top, k), o.rank(), o.seed());
            return new LowRankInit(a0.castTo(w.dataType()), zeros(w, w.rows(), o.rank()), null, o.scaling(), top);
        }

        /**
         * r orthonormal rows spanning a random r-dimensional subspace of span(V_k)^perp: Gaussian
         * columns, projected off V_k, orthonormalised; projected and orthonormalised a second
         * time ("twice is enough") so the leakage into V_k is at rounding level. Float64.
         */
        static INDArray offPrincipalOrthonormalRows(Subspace principal, int rank, long seed) {
            SplittableRandom random = new SplittableRandom(seed);
            long n = principal.ambient();
            double[] g = new double[Math.toIntExact(n * rank)];
            for (int i = 0; i < g.length; i++) {
                g[i] = random.nextGaussian();
            }
            Subspace v = new Subspace(principal.basis().castTo(DataType.DOUBLE));
            INDArray columns = Nd4j.create(g, new long[] {n, rank}, DataType.DOUBLE);
            for (int pass = 0; pass < 2; pass++) {
                columns = Subspace.spanOf(OffPrincipal.left(v, columns)).basis();
            }
            return columns.transpose().dup('c');
        }
    }

    /** Zero B0, A0 the bottom-r right singular vectors. */
    record OpLoraMinor() implements AdapterInit {
        @Override
        public String name() {
            return "op-lora-minor";
        }

        @Override
        public LowRankInit apply(INDArray w, InitOptions o) {
            checked(w, o);
            INDArray a0 = o.solver().bottom(w, o.rank()).vt();
            return new LowRankInit(a0, zeros(w, w.rows(), o.rank()), null, o.scaling());
        }
    }

    private static void checked(INDArray w, InitOptions o) {
        requireRank("rank r", o.rank(), requireFiniteMatrix("w", w));
    }

    private static INDArray zeros(INDArray like, long rows, long cols) {
        return Nd4j.zeros(like.dataType(), rows, cols);
    }

    /** A0 = sqrt(S/s) V^T, B0 = U sqrt(S/s), residual = W - s B0 A0. */
    private static LowRankInit splitOff(INDArray w, Svd part, double scaling) {
        INDArray root = org.nd4j.linalg.ops.transforms.Transforms.sqrt(part.s().div(scaling), false);
        INDArray a0 = part.vt().mulColumnVector(root.reshape(root.length(), 1));
        INDArray b0 = part.u().mulRowVector(root.reshape(1, root.length()));
        INDArray residual = w.dup('c');
        Nd4j.gemm(b0, a0, residual, false, false, -scaling, 1.0);
        return new LowRankInit(a0, b0, residual, scaling);
    }
}
