package dev.oplora.svd;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * How to obtain the top or bottom singular triplets of a weight: a closed set of strategies that
 * adapter initialisations, masks and metrics take as a parameter.
 */
public sealed interface SvdSolver permits SvdSolver.Full, SvdSolver.Partial, SvdSolver.Randomized, SvdSolver.Cached,
        SvdSolver.Metered {

    /** The k largest triplets. */
    Svd top(INDArray w, int k);

    /** The r smallest triplets. */
    default Svd bottom(INDArray w, int r) {
        return Svds.bottom(w, r);
    }

    /** Stable name for configs and cache keys. */
    String name();

    /** Full gesdd, then truncation: the reference, and the fastest when k is near min(m, n). */
    record Full() implements SvdSolver {
        @Override
        public Svd top(INDArray w, int k) {
            MatrixChecks.requireRank("k", k, w);
            return Svds.full(w).top(k);
        }

        @Override
        public Svd bottom(INDArray w, int r) {
            MatrixChecks.requireRank("r", r, w);
            return Svds.full(w).bottom(r);
        }

        @Override
        public String name() {
            return "full";
        }
    }

    /** gesvdx for exactly the requested triplets. */
    record Partial() implements SvdSolver {
        @Override
        public Svd top(INDArray w, int k) {
            return Svds.top(w, k);
        }

        @Override
        public String name() {
            return "partial";
        }
    }

    /**
     * Randomized top-k (Halko, Martinsson and Tropp). Bottom triplets cannot be sketched, so
     * {@link #bottom} falls back to gesvdx.
     */
    record Randomized(int oversampling, int powerIterations, long seed) implements SvdSolver {
        public Randomized {
            if (oversampling < 0) {
                throw new IllegalArgumentException("oversampling must be >= 0, got " + oversampling);
            }
            if (powerIterations < 0) {
                throw new IllegalArgumentException("power iterations must be >= 0, got " + powerIterations);
            }
        }

        /** p = 10, q = 2: the defaults that meet a 1.1 sigma_{k+1} residual on slowly decaying spectra. */
        public static Randomized defaults(long seed) {
            return new Randomized(10, 2, seed);
        }

        @Override
        public Svd top(INDArray w, int k) {
            return RandomizedSvd.top(w, k, oversampling, powerIterations, seed);
        }

        @Override
        public String name() {
            return "randomized-p" + oversampling + "-q" + powerIterations + "-s" + seed;
        }
    }

    /** Any solver, with results kept in an on-disk {@link SvdCache}. */
    record Cached(SvdSolver solver, SvdCache cache) implements SvdSolver {
        @Override
        public Svd top(INDArray w, int k) {
            return cache.get(w, "top-" + k + "-" + solver.name(), () -> solver.top(w, k));
        }

        @Override
        public Svd bottom(INDArray w, int r) {
            return cache.get(w, "bottom-" + r + "-" + solver.name(), () -> solver.bottom(w, r));
        }

        @Override
        public String name() {
            return solver.name();
        }
    }

    /**
     * Any solver, counting the decompositions it is asked for: how a run shows that each
     * weight is decomposed once (and what a cache in front of it saves).
     */
    record Metered(SvdSolver solver, java.util.concurrent.atomic.AtomicLong calls) implements SvdSolver {
        public Metered(SvdSolver solver) {
            this(solver, new java.util.concurrent.atomic.AtomicLong());
        }

        @Override
        public Svd top(INDArray w, int k) {
            calls.incrementAndGet();
            return solver.top(w, k);
        }

        @Override
        public Svd bottom(INDArray w, int r) {
            calls.incrementAndGet();
            return solver.bottom(w, r);
        }

        @Override
        public String name() {
            return solver.name();
        }
    }

    /** Parses {@code full}, {@code partial} or {@code randomized[:p:q]} (seed given separately). */
    static SvdSolver parse(String spec, long seed) {
        String[] parts = spec.trim().toLowerCase(java.util.Locale.ROOT).split(":");
        switch (parts[0]) {
            case "full":
                return new Full();
            case "partial":
                return new Partial();
            case "randomized":
                if (parts.length == 1) {
                    return Randomized.defaults(seed);
                }
                if (parts.length == 3) {
                    return new Randomized(Integer.parseInt(parts[1]), Integer.parseInt(parts[2]), seed);
                }
                break;
            default:
                break;
        }
        throw new IllegalArgumentException("unknown SVD solver '" + spec
                + "': expected full, partial, randomized or randomized:P:Q");
    }
}
