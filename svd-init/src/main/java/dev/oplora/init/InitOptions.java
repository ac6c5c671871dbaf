package dev.oplora.init;

import dev.oplora.svd.SvdSolver;

/**
 * The knobs every adapter initialisation takes.
 *
 * @param rank r, the adapter rank
 * @param alpha lora_alpha; the update is scaled by alpha / r, or alpha / sqrt(r) with rsLoRA
 * @param useRslora use alpha / sqrt(r) (rank-stabilised LoRA)
 * @param principalRank k, the dimension of the protected principal subspace; 0 picks
 *     {@link #defaultPrincipalRank} for each matrix
 * @param seed seed of every random draw
 * @param solver how singular triplets are computed
 * @param a0Scale length of op-lora's (and op-lora-minor's) A0 rows: 1 (orthonormal) or the
 *     expected row norm of LoRA's kaiming-uniform A, 1/sqrt(3)
 */
public record InitOptions(int rank, double alpha, boolean useRslora, int principalRank, long seed, SvdSolver solver,
                          double a0Scale) {

    /** Options with unit-length op-lora rows. */
    public InitOptions(int rank, double alpha, boolean useRslora, int principalRank, long seed, SvdSolver solver) {
        this(rank, alpha, useRslora, principalRank, seed, solver, 1.0);
    }

    public InitOptions {
        if (rank <= 0) {
            throw new IllegalArgumentException("rank r must be positive, got " + rank);
        }
        if (!(alpha > 0) || Double.isInfinite(alpha)) {
            throw new IllegalArgumentException("lora_alpha must be a positive finite number, got " + alpha);
        }
        if (principalRank < 0) {
            throw new IllegalArgumentException("principal_rank must be >= 0 (0 = default), got " + principalRank);
        }
        if (solver == null) {
            throw new IllegalArgumentException("solver must not be null");
        }
        if (!(a0Scale > 0)) {
            throw new IllegalArgumentException("a0 row scale must be positive, got " + a0Scale);
        }
    }

    /** r, alpha = r (scaling 1), default k, partial (exact) SVD. */
    public static InitOptions of(int rank, long seed) {
        return new InitOptions(rank, rank, false, 0, seed, new SvdSolver.Partial());
    }

    /** s = alpha / r, or alpha / sqrt(r) with rsLoRA. */
    public double scaling() {
        return useRslora ? alpha / Math.sqrt(rank) : alpha / rank;
    }

    /** k for an m x n matrix: the configured value, or min(64, min(m, n) / 4). */
    public int principalRankFor(long rows, long cols) {
        return principalRank > 0 ? principalRank : defaultPrincipalRank(rows, cols);
    }

    /** min(64, min(m, n) / 4), at least 1. */
    public static int defaultPrincipalRank(long rows, long cols) {
        return (int) Math.max(1, Math.min(64, Math.min(rows, cols) / 4));
    }
}
