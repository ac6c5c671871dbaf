package dev.oplora.svd;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A k-dimensional subspace of R^d, held as a contiguous c-order d x k matrix with orthonormal
 * columns. Build one from the leading singular vectors of a weight ({@link #left}, {@link #right})
 * or from any orthonormal basis ({@link #of}).
 */
public record Subspace(INDArray basis) {

    /** Orthonormality tolerance checked by {@link #of}, relative to float32 or float64 epsilon. */
    private static final double FLOAT_TOLERANCE = 1e-4;
    private static final double DOUBLE_TOLERANCE = 1e-10;

    public Subspace {
        MatrixChecks.requireMatrix("basis", basis);
        if (basis.columns() > basis.rows()) {
            throw new IllegalArgumentException("a basis of R^" + basis.rows() + " cannot have "
                    + basis.columns() + " columns");
        }
        if (basis.isView() || basis.ordering() != 'c') {
            basis = basis.dup('c');
        }
    }

    /** A subspace from orthonormal columns, verified: max |B^T B - I| must be at rounding level. */
    public static Subspace of(INDArray orthonormalColumns) {
        Subspace subspace = new Subspace(orthonormalColumns);
        INDArray gram = Nd4j.gemm(subspace.basis, subspace.basis, true, false);
        double error = gram.subi(Nd4j.eye(gram.rows()).castTo(gram.dataType())).amaxNumber().doubleValue();
        double tolerance = gram.dataType() == org.nd4j.linalg.api.buffer.DataType.DOUBLE
                ? DOUBLE_TOLERANCE : FLOAT_TOLERANCE;
        if (error > tolerance) {
            throw new IllegalArgumentException("basis columns are not orthonormal: max |B^T B - I| = " + error);
        }
        return subspace;
    }

    /**
     * An orthonormal basis of the span of {@code columns} (d x k, k <= d, full column rank),
     * through a Householder QR; the input is not modified.
     */
    public static Subspace spanOf(INDArray columns) {
        MatrixChecks.requireFiniteMatrix("columns", columns);
        INDArray q = columns.dup('c');
        Lapack.orthonormalizeColumnsInPlace(q);
        return new Subspace(q);
    }

    /** span(U_k): the first k left singular vectors. */
    public static Subspace left(Svd svd, int k) {
        requireTriplets(svd, k);
        return new Subspace(svd.u().get(NDArrayIndex.all(), NDArrayIndex.interval(0, k)).dup('c'));
    }

    /** span(V_k): the first k right singular vectors. */
    public static Subspace right(Svd svd, int k) {
        requireTriplets(svd, k);
        return new Subspace(svd.vt().get(NDArrayIndex.interval(0, k), NDArrayIndex.all()).transpose().dup('c'));
    }

    /** Ambient dimension d. */
    public long ambient() {
        return basis.rows();
    }

    /** Subspace dimension k. */
    public int dim() {
        return (int) basis.columns();
    }

    private static void requireTriplets(Svd svd, int k) {
        if (k <= 0 || k > svd.size()) {
            throw new IllegalArgumentException("principal rank k must be in [1, " + svd.size() + "], got " + k);
        }
    }
}
