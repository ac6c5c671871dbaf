package dev.oplora.svd;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * In-place off-principal projection of matrices of one fixed shape, with its workspace allocated
 * once. Each side costs two GEMMs: T = U^T X (k x n), then X = X - U T with beta = 1, so the
 * subtraction is fused into the second GEMM and X is read and written once. Not thread-safe:
 * one projector per parameter (or per thread).
 */
public final class Projector {

    private final Subspace left;
    private final Subspace right;
    private final INDArray leftCoefficients;
    private final INDArray rightCoefficients;

    private Projector(Subspace left, Subspace right, long rows, long cols, org.nd4j.linalg.api.buffer.DataType type) {
        this.left = left;
        this.right = right;
        this.leftCoefficients = left == null ? null
                : Nd4j.createUninitialized(type, new long[] {left.dim(), cols}, 'c');
        this.rightCoefficients = right == null ? null
                : Nd4j.createUninitialized(type, new long[] {rows, right.dim()}, 'c');
    }

    /** X -> X - U (U^T X) for X with u.ambient() rows and {@code cols} columns. */
    public static Projector left(Subspace u, long cols) {
        return new Projector(u, null, u.ambient(), cols, u.basis().dataType());
    }

    /** X -> X - (X V) V^T for X with {@code rows} rows and v.ambient() columns. */
    public static Projector right(Subspace v, long rows) {
        return new Projector(null, v, rows, v.ambient(), v.basis().dataType());
    }

    /** X -> (I - U U^T) X (I - V V^T). */
    public static Projector twoSided(Subspace u, Subspace v) {
        return new Projector(u, v, u.ambient(), v.ambient(), u.basis().dataType());
    }

    /**
     * Projects {@code x} in place and returns it. x must be a contiguous c-order matrix of the
     * shape this projector was built for, in the subspaces' data type.
     */
    public INDArray apply(INDArray x) {
        if (x.isView() || x.ordering() != 'c' || x.dataType() != dataType()) {
            throw new IllegalArgumentException("in-place projection needs a contiguous c-order " + dataType()
                    + " matrix, got " + x.dataType() + " order " + x.ordering() + (x.isView() ? " (view)" : ""));
        }
        if (left != null) {
            if (x.rows() != left.ambient() || x.columns() != leftCoefficients.columns()) {
                throw shapeMismatch(x);
            }
            Nd4j.gemm(left.basis(), x, leftCoefficients, true, false, 1.0, 0.0);
            Nd4j.gemm(left.basis(), leftCoefficients, x, false, false, -1.0, 1.0);
        }
        if (right != null) {
            if (x.columns() != right.ambient() || x.rows() != rightCoefficients.rows()) {
                throw shapeMismatch(x);
            }
            Nd4j.gemm(x, right.basis(), rightCoefficients, false, false, 1.0, 0.0);
            Nd4j.gemm(rightCoefficients, right.basis(), x, false, true, -1.0, 1.0);
        }
        return x;
    }

    private org.nd4j.linalg.api.buffer.DataType dataType() {
        return (left != null ? left : right).basis().dataType();
    }

    private IllegalArgumentException shapeMismatch(INDArray x) {
        long rows = left != null ? left.ambient() : rightCoefficients.rows();
        long cols = right != null ? right.ambient() : leftCoefficients.columns();
        return new IllegalArgumentException("projector built for " + rows + "x" + cols + " matrices, got "
                + java.util.Arrays.toString(x.shape()));
    }
}
