package dev.oplora.mask;

import dev.oplora.init.InitOptions;
import dev.oplora.svd.MatrixChecks;
import dev.oplora.svd.SvdSolver;

/**
 * @param density alpha, the fraction of entries selected, in (0, 1]
 * @param principalRank k for the principal masks; 0 picks min(64, min(m, n) / 4)
 * @param seed seed of the random mask
 * @param solver how the principal triplets are computed
 */
public record MaskOptions(double density, int principalRank, long seed, SvdSolver solver) {

    public MaskOptions {
        MatrixChecks.requireDensity("density", density);
        if (principalRank < 0) {
            throw new IllegalArgumentException("principal_rank must be >= 0 (0 = default), got " + principalRank);
        }
        if (solver == null) {
            throw new IllegalArgumentException("solver must not be null");
        }
    }

    public static MaskOptions of(double density, long seed) {
        return new MaskOptions(density, 0, seed, new SvdSolver.Partial());
    }

    /** round(density * size), at least 1. */
    public int count(long size) {
        return (int) Math.max(1, Math.min(size, Math.round(density * size)));
    }

    public int principalRankFor(long rows, long cols) {
        return principalRank > 0 ? principalRank : InitOptions.defaultPrincipalRank(rows, cols);
    }
}
