package dev.oplora.svd;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Projections onto the complement of a principal subspace, allocating a new result each call.
 * For the hot path (every optimizer step) use {@link Projector}, which works in place on
 * preallocated workspace.
 *
 * <ul>
 *   <li>left: X - U_k (U_k^T X), X is m x n and U_k m x k: removes the column-space component;</li>
 *   <li>right: X - (X V_k) V_k^T, V_k n x k: removes the row-space component;</li>
 *   <li>two-sided: (I - U_k U_k^T) X (I - V_k V_k^T).</li>
 * </ul>
 */
public final class OffPrincipal {

    private OffPrincipal() {
    }

    /** X - U (U^T X). */
    public static INDArray left(Subspace u, INDArray x) {
        requireRows(u, x);
        INDArray coefficients = Nd4j.gemm(u.basis(), x, true, false);
        INDArray result = x.dup('c');
        return Nd4j.gemm(u.basis(), coefficients, result, false, false, -1.0, 1.0);
    }

    /** X - (X V) V^T. */
    public static INDArray right(INDArray x, Subspace v) {
        requireColumns(x, v);
        INDArray coefficients = Nd4j.gemm(x, v.basis(), false, false);
        INDArray result = x.dup('c');
        return Nd4j.gemm(coefficients, v.basis(), result, false, true, -1.0, 1.0);
    }

    /** (I - U U^T) X (I - V V^T). */
    public static INDArray twoSided(Subspace u, INDArray x, Subspace v) {
        return right(left(u, x), v);
    }

    static void requireRows(Subspace u, INDArray x) {
        MatrixChecks.requireMatrix("x", x);
        if (x.rows() != u.ambient()) {
            throw new IllegalArgumentException("left projection: x has " + x.rows()
                    + " rows but the subspace lives in R^" + u.ambient());
        }
    }

    static void requireColumns(INDArray x, Subspace v) {
        MatrixChecks.requireMatrix("x", x);
        if (x.columns() != v.ambient()) {
            throw new IllegalArgumentException("right projection: x has " + x.columns()
                    + " columns but the subspace lives in R^" + v.ambient());
        }
    }
}
