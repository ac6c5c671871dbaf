package dev.oplora.svd;

import static org.bytedeco.openblas.global.openblas.LAPACK_COL_MAJOR;

import dev.oplora.runtime.NativeThreads;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.openblas.global.openblas;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * LAPACK through the OpenBLAS LAPACKE bindings that ND4J already loads (ND4J's own {@code svd}
 * op gives wrong results from n = 16 on in 1.0.0-M2.1).
 *
 * <p>Layout trick: a row-major m x n buffer is, read column-major, the n x m matrix W^T. So every
 * call below passes the row-major buffer to the column-major routine unchanged and reads the
 * answer transposed: the SVD of W^T is V S U^T, hence LAPACK's "U" output is our V^T (row-major
 * p x n) and its "VT" output is our U (row-major m x p). No transposing copy is ever made.
 */
final class Lapack {

    static {
        NativeThreads.configure();
    }

    private Lapack() {
    }

    /** Full thin SVD (gesdd, divide and conquer) of an m x n matrix; the input is not modified. */
    static Svd gesdd(INDArray w) {
        int m = (int) w.rows();
        int n = (int) w.columns();
        int p = Math.min(m, n);
        DataType type = w.dataType();
        INDArray a = w.dup('c');
        INDArray s = Nd4j.createUninitialized(type, p);
        INDArray u = Nd4j.createUninitialized(type, new long[] {m, p}, 'c');
        INDArray vt = Nd4j.createUninitialized(type, new long[] {p, n}, 'c');
        // Column-major view: A' = W^T (n x m); U' (n x p) is V^T row-major, VT' (p x m) is U row-major.
        int info = type == DataType.FLOAT
                ? openblas.LAPACKE_sgesdd(LAPACK_COL_MAJOR, (byte) 'S', n, m, f(a), n, f(s), f(vt), n, f(u), p)
                : openblas.LAPACKE_dgesdd(LAPACK_COL_MAJOR, (byte) 'S', n, m, d(a), n, d(s), d(vt), n, d(u), p);
        check("gesdd", info, m, n);
        return new Svd(u, s, vt).canonicalSigns();
    }

    /** Singular values only (gesdd with jobz = 'N'), descending. */
    static INDArray singularValues(INDArray w) {
        int m = (int) w.rows();
        int n = (int) w.columns();
        DataType type = w.dataType();
        INDArray a = w.dup('c');
        INDArray s = Nd4j.createUninitialized(type, Math.min(m, n));
        int info = type == DataType.FLOAT
                ? openblas.LAPACKE_sgesdd(LAPACK_COL_MAJOR, (byte) 'N', n, m, f(a), n, f(s), null, 1, null, 1)
                : openblas.LAPACKE_dgesdd(LAPACK_COL_MAJOR, (byte) 'N', n, m, d(a), n, d(s), null, 1, null, 1);
        check("gesdd", info, m, n);
        return s;
    }

    /**
     * Singular triplets {@code first .. last} (1-based, descending order, inclusive) through
     * gesvdx, the bisection/inverse-iteration driver that never forms the whole decomposition.
     */
    static Svd gesvdx(INDArray w, int first, int last) {
        int m = (int) w.rows();
        int n = (int) w.columns();
        int p = Math.min(m, n);
        int count = last - first + 1;
        DataType type = w.dataType();
        INDArray a = w.dup('c');
        INDArray s = Nd4j.createUninitialized(type, p);
        INDArray u = Nd4j.createUninitialized(type, new long[] {m, count}, 'c');
        INDArray vt = Nd4j.createUninitialized(type, new long[] {count, n}, 'c');
        try (IntPointer found = new IntPointer(1); IntPointer superb = new IntPointer(12L * p)) {
            // A' = W^T is n x m: LAPACK's U' (n x count, ldu n) is V^T, its VT' (count x m, ldvt count) is U.
            int info = type == DataType.FLOAT
                    ? openblas.LAPACKE_sgesvdx(LAPACK_COL_MAJOR, (byte) 'V', (byte) 'V', (byte) 'I', n, m, f(a), n,
                            0f, 0f, first, last, found, f(s), f(vt), n, f(u), count, superb)
                    : openblas.LAPACKE_dgesvdx(LAPACK_COL_MAJOR, (byte) 'V', (byte) 'V', (byte) 'I', n, m, d(a), n,
                            0d, 0d, first, last, found, d(s), d(vt), n, d(u), count, superb);
            check("gesvdx", info, m, n);
            if (found.get() != count) {
                throw new ArithmeticException("gesvdx found " + found.get() + " of " + count
                        + " requested singular triplets of a " + m + "x" + n + " matrix");
            }
        }
        INDArray values = s.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, count)).dup();
        return new Svd(u, values, vt).canonicalSigns();
    }

    /**
     * Replaces the columns of the m x l (m >= l) row-major matrix {@code y} by an orthonormal
     * basis of their span, in place. Read column-major, y is Y^T (l x m); its LQ factorisation
     * Y^T = L Q' gives Y = Q'^T L^T, and Q' (l x m, orthonormal rows) read back row-major is Q'^T.
     */
    static void orthonormalizeColumnsInPlace(INDArray y) {
        if (!y.isView() && y.ordering() == 'c' && y.rows() >= y.columns()) {
            int m = (int) y.rows();
            int l = (int) y.columns();
            INDArray tau = Nd4j.createUninitialized(y.dataType(), l);
            int info = y.dataType() == DataType.FLOAT
                    ? openblas.LAPACKE_sgelqf(LAPACK_COL_MAJOR, l, m, f(y), l, f(tau))
                    : openblas.LAPACKE_dgelqf(LAPACK_COL_MAJOR, l, m, d(y), l, d(tau));
            check("gelqf", info, m, l);
            info = y.dataType() == DataType.FLOAT
                    ? openblas.LAPACKE_sorglq(LAPACK_COL_MAJOR, l, m, l, f(y), l, f(tau))
                    : openblas.LAPACKE_dorglq(LAPACK_COL_MAJOR, l, m, l, d(y), l, d(tau));
            check("orglq", info, m, l);
            return;
        }
        throw new IllegalArgumentException("orthonormalisation needs a contiguous c-order m x l matrix with m >= l, got "
                + java.util.Arrays.toString(y.shape()) + " order " + y.ordering() + (y.isView() ? " (view)" : ""));
    }

    private static FloatPointer f(INDArray x) {
        return new FloatPointer(address(x));
    }

    private static DoublePointer d(INDArray x) {
        return new DoublePointer(address(x));
    }

    private static Pointer address(INDArray x) {
        return x.data().addressPointer();
    }

    private static void check(String routine, int info, int m, int n) {
        if (info < 0) {
            throw new IllegalStateException(routine + ": argument " + (-info) + " is invalid (" + m + "x" + n + ")");
        }
        if (info > 0) {
            throw new ArithmeticException(routine + " did not converge on a " + m + "x" + n + " matrix (info " + info + ")");
        }
    }
}
