package dev.oplora.svd;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * In-place off-principal projection of matrices of one fixed shape, with its workspace allocated
 * once. Each side costs two GEMMs: T = U^T X (k x n), then X = X - U T with beta = 1, so the
 * subtraction is fused into the second GEMM and no temporary of X's size exists.
 *
 * <p>On the CPU backend the GEMMs go straight to OpenBLAS ({@link Blas}): a call allocates
 * nothing. On any other backend (CUDA) they go through {@code Nd4j.gemm}, so they run where the
 * data lives. (Splitting X
 * into cache-sized panels, so each panel is read from memory once for both GEMMs, measured
 * slower on 4096 x 4096: BLAS repacks U for every panel and narrow GEMMs thread worse.)
 *
 * <p>Not thread-safe: one projector per parameter (or per thread).
 */
public final class Projector {

    private final Subspace left;
    private final Subspace right;
    private final long rows;
    private final long cols;
    private final INDArray leftCoefficients;
    private final INDArray rightCoefficients;
    private final Blas blas = new Blas();
    private boolean direct = Blas.SAME_MEMORY;

    private Projector(Subspace left, Subspace right, long rows, long cols) {
        this.left = left;
        this.right = right;
        this.rows = rows;
        this.cols = cols;
        DataType type = dataType();
        this.leftCoefficients = left == null ? null
                : Nd4j.createUninitialized(type, new long[] {left.dim(), cols}, 'c');
        this.rightCoefficients = right == null ? null
                : Nd4j.createUninitialized(type, new long[] {rows, right.dim()}, 'c');
    }

    /** X -> X - U (U^T X) for X with u.ambient() rows and {@code cols} columns. */
    public static Projector left(Subspace u, long cols) {
        return new Projector(u, null, u.ambient(), cols);
    }

    /** X -> X - (X V) V^T for X with {@code rows} rows and v.ambient() columns. */
    public static Projector right(Subspace v, long rows) {
        return new Projector(null, v, rows, v.ambient());
    }

    /** X -> (I - U U^T) X (I - V V^T). */
    public static Projector twoSided(Subspace u, Subspace v) {
        return new Projector(u, v, u.ambient(), v.ambient());
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
        if (x.rank() != 2 || x.rows() != rows || x.columns() != cols) {
            throw new IllegalArgumentException("projector built for " + rows + "x" + cols + " matrices, got "
                    + Arrays.toString(x.shape()));
        }
        if (!direct) {
            return applyThroughNd4j(x);
        }
        int m = (int) rows;
        int n = (int) cols;
        if (left != null) {
            int k = left.dim();
            INDArray u = left.basis();
            blas.gemm(true, false, k, n, m, 1.0, u, k, x, n, 0.0, leftCoefficients, n);
            blas.gemm(false, false, m, n, k, -1.0, u, k, leftCoefficients, n, 1.0, x, n);
        }
        if (right != null) {
            int k = right.dim();
            INDArray v = right.basis();
            blas.gemm(false, false, m, k, n, 1.0, x, n, v, k, 0.0, rightCoefficients, k);
            blas.gemm(false, true, m, n, k, -1.0, rightCoefficients, k, v, k, 1.0, x, n);
        }
        return x;
    }

    /** This projector on the Nd4j.gemm path whatever the backend (tests compare the two paths). */
    Projector throughNd4j() {
        direct = false;
        return this;
    }

    private INDArray applyThroughNd4j(INDArray x) {
        if (left != null) {
            Nd4j.gemm(left.basis(), x, leftCoefficients, true, false, 1.0, 0.0);
            Nd4j.gemm(left.basis(), leftCoefficients, x, false, false, -1.0, 1.0);
        }
        if (right != null) {
            Nd4j.gemm(x, right.basis(), rightCoefficients, false, false, 1.0, 0.0);
            Nd4j.gemm(rightCoefficients, right.basis(), x, false, true, -1.0, 1.0);
        }
        return x;
    }

    private DataType dataType() {
        return (left != null ? left : right).basis().dataType();
    }
}
