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
import org.nd4j.linalg.indexing.NDArrayIndex;

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
public sealed interface AdapterInit permits AdapterInit.Lora, AdapterInit.Pissa, AdapterInit.PissaNiter,
        AdapterInit.Milora, AdapterInit.OpLora, AdapterInit.OpLoraMinor, AdapterInit.Orthogonal, AdapterInit.OLora {

    /** Names accepted by {@link #parse}, as written in configs ({@code pissa_niter_K} takes any K, e.g. 4). */
    List<String> NAMES = List.of("lora", "lora-gaussian", "pissa", "pissa_niter_4", "milora", "op-lora", "op-lora-minor",
            "orthogonal", "olora");

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
        return this instanceof Pissa || this instanceof PissaNiter || this instanceof Milora || this instanceof OLora;
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
            case "orthogonal" -> new Orthogonal();
            case "olora" -> new OLora();
            default -> {
                if (key.matches("pissa-niter-\\d{1,3}")) {
                    yield new PissaNiter(Integer.parseInt(key.substring("pissa-niter-".length())));
                }
                throw new IllegalArgumentException("unknown init_lora_weights '" + name + "': expected one of " + NAMES
                        + " (pissa_niter_K for any K)");
            }
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

    /**
     * PiSSA from a randomized SVD with {@code iterations} power iterations and a sketch of exactly
     * r columns (PEFT's {@code pissa_niter_K}, torch.svd_lowrank with q = r): much cheaper than
     * an exact top-r SVD on large matrices, close to it when the spectrum decays.
     */
    record PissaNiter(int iterations) implements AdapterInit {
        public PissaNiter {
            if (iterations < 0) {
                throw new IllegalArgumentException("pissa_niter needs >= 0 power iterations, got " + iterations);
            }
        }

        @Override
        public String name() {
            return "pissa_niter_" + iterations;
        }

        @Override
        public LowRankInit apply(INDArray w, InitOptions o) {
            checked(w, o);
            return splitOff(w, new dev.oplora.svd.SvdSolver.Randomized(0, iterations, o.seed()).top(w, o.rank()), o.scaling());
        }
    }

    /**
     * PEFT's {@code orthogonal}: A0 and B0 from the odd and even rows of a random r x r orthogonal
     * matrix, times Gaussian matrices, / 10, so B0 A0 = 0 exactly (the two row sets are
     * orthogonal) while neither factor is zero. r must be even.
     */
    record Orthogonal() implements AdapterInit {
        @Override
        public String name() {
            return "orthogonal";
        }

        @Override
        public LowRankInit apply(INDArray w, InitOptions o) {
            checked(w, o);
            int r = o.rank();
            if (r % 2 != 0) {
                throw new IllegalArgumentException("orthogonal initialization needs an even rank r, got " + r);
            }
            SplittableRandom random = new SplittableRandom(o.seed());
            INDArray q = Subspace.spanOf(gaussian(random, r, r)).basis();
            INDArray odd = rows(q, 0);
            INDArray even = rows(q, 1);
            INDArray a0 = Nd4j.gemm(gaussian(random, w.columns(), r / 2), odd, false, false).transpose().div(10);
            INDArray b0 = Nd4j.gemm(gaussian(random, r / 2, w.rows()), even, true, false).div(10);
            return new LowRankInit(a0.dup('c').castTo(w.dataType()), b0.castTo(w.dataType()), null, o.scaling());
        }

        /** Rows start, start + 2, start + 4, ... */
        private static INDArray rows(INDArray q, int start) {
            long[] picked = new long[(int) q.rows() / 2];
            for (int i = 0; i < picked.length; i++) {
                picked[i] = start + 2L * i;
            }
            return q.getRows(java.util.Arrays.stream(picked).mapToInt(Math::toIntExact).toArray());
        }
    }

    /**
     * OLoRA (PEFT's {@code olora}): W = Q R (reduced QR); A0 = the first r rows of R, B0 = the
     * first r columns of Q; the base becomes W - s B0 A0.
     */
    record OLora() implements AdapterInit {
        @Override
        public String name() {
            return "olora";
        }

        @Override
        public LowRankInit apply(INDArray w, InitOptions o) {
            checked(w, o);
            INDArray w64 = w.castTo(DataType.DOUBLE);
            long k = Math.min(w.rows(), w.columns());
            // Householder QR's Q depends only on the first k columns when they are independent.
            INDArray q = Subspace.spanOf(w64.get(NDArrayIndex.all(), NDArrayIndex.interval(0, k))).basis();
            INDArray r = Nd4j.gemm(q, w64, true, false);
            INDArray a0 = r.get(NDArrayIndex.interval(0, o.rank()), NDArrayIndex.all()).dup('c');
            INDArray b0 = q.get(NDArrayIndex.all(), NDArrayIndex.interval(0, o.rank())).dup('c');
            INDArray residual = w64.dup('c');
            Nd4j.gemm(b0, a0, residual, false, false, -o.scaling(), 1.0);
            return new LowRankInit(a0.castTo(w.dataType()), b0.castTo(w.dataType()), residual.castTo(w.dataType()),
                    o.scaling());
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
            INDArray a0 = offPrincipalOrthonormalRows(Subspace.right(top, k), o.rank(), o.seed()).muli(o.a0Scale());
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
            INDArray a0 = o.solver().bottom(w, o.rank()).vt().mul(o.a0Scale());
            return new LowRankInit(a0, zeros(w, w.rows(), o.rank()), null, o.scaling());
        }
    }

    private static void checked(INDArray w, InitOptions o) {
        requireRank("rank r", o.rank(), requireFiniteMatrix("w", w));
    }

    /** A rows x cols float64 matrix of N(0, 1) draws. */
    private static INDArray gaussian(SplittableRandom random, long rows, long cols) {
        double[] g = new double[Math.toIntExact(rows * cols)];
        for (int i = 0; i < g.length; i++) {
            g[i] = random.nextGaussian();
        }
        return Nd4j.create(g, new long[] {rows, cols}, DataType.DOUBLE);
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
