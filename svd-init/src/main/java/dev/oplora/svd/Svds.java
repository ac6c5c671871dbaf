package dev.oplora.svd;

import static dev.oplora.svd.MatrixChecks.requireFiniteMatrix;
import static dev.oplora.svd.MatrixChecks.requireRank;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Exact singular value decompositions through LAPACK, in the input's precision (float32 or
 * float64). Every result follows the sign convention of {@link Svd}.
 */
public final class Svds {

    private Svds() {
    }

    /** Thin SVD with all min(m, n) triplets (gesdd). */
    public static Svd full(INDArray w) {
        return Lapack.gesdd(requireFiniteMatrix("w", w));
    }

    /** Singular values only, descending. */
    public static INDArray singularValues(INDArray w) {
        return Lapack.singularValues(requireFiniteMatrix("w", w));
    }

    /** The k largest singular triplets (gesvdx), without a full decomposition. */
    public static Svd top(INDArray w, int k) {
        requireRank("k", k, requireFiniteMatrix("w", w));
        return Lapack.gesvdx(w, 1, k);
    }

    /** The r smallest singular triplets (gesvdx), in descending order like every Svd. */
    public static Svd bottom(INDArray w, int r) {
        requireRank("r", r, requireFiniteMatrix("w", w));
        int p = (int) Math.min(w.rows(), w.columns());
        return Lapack.gesvdx(w, p - r + 1, p);
    }

    /**
     * Triplets {@code from .. to - 1} (0-based, descending order). Uses gesvdx unless the range
     * covers most of the spectrum, where the full divide-and-conquer driver is faster.
     */
    public static Svd range(INDArray w, int from, int to) {
        requireFiniteMatrix("w", w);
        int p = (int) Math.min(w.rows(), w.columns());
        if (from < 0 || to > p || from >= to) {
            throw new IllegalArgumentException("triplet range [" + from + ", " + to + ") outside [0, " + p + ")");
        }
        if (to - from > p / 2) {
            return Lapack.gesdd(w).slice(from, to);
        }
        return Lapack.gesvdx(w, from + 1, to);
    }
}
