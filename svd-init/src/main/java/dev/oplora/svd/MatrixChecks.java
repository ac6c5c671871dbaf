package dev.oplora.svd;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.BooleanIndexing;
import org.nd4j.linalg.indexing.conditions.Conditions;

/**
 * Argument checks shared by every public entry point of svd-init. Each failure is an
 * {@link IllegalArgumentException} whose message names the argument, so that a caller several
 * layers up (a CLI flag, a config field, a tensor name) can be traced from the text alone.
 */
public final class MatrixChecks {

    private MatrixChecks() {
    }

    /** A 2-D float32 or float64 array. */
    public static INDArray requireMatrix(String name, INDArray x) {
        if (x == null) {
            throw new IllegalArgumentException(name + " must not be null");
        }
        if (x.rank() != 2) {
            throw new IllegalArgumentException(name + " must be a 2-D matrix, got shape "
                    + java.util.Arrays.toString(x.shape()));
        }
        if (x.dataType() != DataType.FLOAT && x.dataType() != DataType.DOUBLE) {
            throw new IllegalArgumentException(name + " must be FLOAT or DOUBLE, got " + x.dataType());
        }
        if (x.rows() == 0 || x.columns() == 0) {
            throw new IllegalArgumentException(name + " must not be empty, got shape "
                    + java.util.Arrays.toString(x.shape()));
        }
        return x;
    }

    /** A 2-D float matrix with no NaN or infinite entry; the message gives the first bad position. */
    public static INDArray requireFiniteMatrix(String name, INDArray x) {
        requireMatrix(name, x);
        if (!allFinite(x)) {
            throw new IllegalArgumentException(name + " contains NaN or Inf at " + firstNonFinite(x));
        }
        return x;
    }

    /**
     * Whether every entry is finite. Contiguous float32 matrices (the common case, checked on
     * every SVD and init) are scanned in Java over the off-heap buffer, several times faster than
     * ND4J's generic condition op; anything else goes through ND4J.
     */
    static boolean allFinite(INDArray x) {
        if (x.dataType() == DataType.FLOAT && !x.isView() && x.ordering() == 'c') {
            java.nio.IntBuffer bits = x.data().asNio().duplicate().order(java.nio.ByteOrder.nativeOrder()).asIntBuffer();
            int n = (int) x.length();
            int exponents = 0x7f800000;
            for (int i = 0; i < n; i++) {
                if ((bits.get(i) & exponents) == exponents) {
                    return false;
                }
            }
            return true;
        }
        return !BooleanIndexing.or(x, Conditions.notFinite());
    }

    /** 1 <= rank <= min(m, n). */
    public static int requireRank(String name, int rank, INDArray x) {
        long max = Math.min(x.rows(), x.columns());
        if (rank <= 0 || rank > max) {
            throw new IllegalArgumentException(name + " must be in [1, " + max + "] for a "
                    + x.rows() + "x" + x.columns() + " matrix, got " + rank);
        }
        return rank;
    }

    /** 1 <= k < min(m, n): a principal subspace must leave a complement. */
    public static int requirePrincipalRank(String name, int k, INDArray x) {
        long max = Math.min(x.rows(), x.columns());
        if (k <= 0 || k >= max) {
            throw new IllegalArgumentException(name + " must be in [1, " + (max - 1) + "] for a "
                    + x.rows() + "x" + x.columns() + " matrix, got " + k);
        }
        return k;
    }

    /** A density in (0, 1]. */
    public static double requireDensity(String name, double alpha) {
        if (!(alpha > 0 && alpha <= 1)) {
            throw new IllegalArgumentException(name + " must be in (0, 1], got " + alpha);
        }
        return alpha;
    }

    /** Two matrices of the same shape. */
    public static void requireSameShape(String nameA, INDArray a, String nameB, INDArray b) {
        if (!java.util.Arrays.equals(a.shape(), b.shape())) {
            throw new IllegalArgumentException(nameA + " has shape " + java.util.Arrays.toString(a.shape())
                    + " but " + nameB + " has shape " + java.util.Arrays.toString(b.shape()));
        }
    }

    private static String firstNonFinite(INDArray x) {
        long cols = x.columns();
        for (long i = 0; i < x.rows(); i++) {
            for (long j = 0; j < cols; j++) {
                double v = x.getDouble(i, j);
                if (!Double.isFinite(v)) {
                    return "[" + i + ", " + j + "] (" + v + ")";
                }
            }
        }
        return "an unknown position";
    }
}
