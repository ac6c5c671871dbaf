package dev.oplora.svd;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A (possibly truncated) singular value decomposition W ~ U diag(s) V^T.
 *
 * <p>{@code u} is m x p with orthonormal columns, {@code s} has p entries in descending order,
 * {@code vt} is p x n with orthonormal rows (V transposed, the layout LAPACK produces, so that
 * the rows used by projections and adapter inits are contiguous).
 *
 * <p>Sign convention: every triplet is flipped so that the entry of largest magnitude in each
 * left singular vector u_i is positive (ties: the lowest row index). The convention is applied by
 * every solver (full, partial, randomized), so their results are comparable column by column.
 */
public record Svd(INDArray u, INDArray s, INDArray vt) {

    public Svd {
        if (u.columns() != s.length() || vt.rows() != s.length()) {
            throw new IllegalArgumentException("inconsistent SVD shapes: u " + java.util.Arrays.toString(u.shape())
                    + ", s " + s.length() + ", vt " + java.util.Arrays.toString(vt.shape()));
        }
    }

    /** Number of triplets held. */
    public int size() {
        return (int) s.length();
    }

    /** V (n x p): a transposed view of {@link #vt()}. */
    public INDArray v() {
        return vt.transpose();
    }

    /** The first k triplets, as contiguous copies. */
    public Svd top(int k) {
        return slice(0, k);
    }

    /** The last k triplets held, as contiguous copies. */
    public Svd bottom(int k) {
        return slice(size() - k, size());
    }

    /** Triplets [from, to) as contiguous copies. */
    public Svd slice(int from, int to) {
        if (from < 0 || to > size() || from >= to) {
            throw new IllegalArgumentException("triplet range [" + from + ", " + to + ") outside [0, " + size() + ")");
        }
        return new Svd(
                u.get(NDArrayIndex.all(), NDArrayIndex.interval(from, to)).dup('c'),
                s.get(NDArrayIndex.interval(from, to)).dup(),
                vt.get(NDArrayIndex.interval(from, to), NDArrayIndex.all()).dup('c'));
    }

    /** U diag(s) V^T. */
    public INDArray reconstruct() {
        INDArray us = u.mulRowVector(s.reshape(1, s.length()));
        return Nd4j.gemm(us, vt, false, false);
    }

    /** Applies the sign convention in place (see the class comment). */
    Svd canonicalSigns() {
        INDArray signs = Nd4j.ones(u.dataType(), 1, s.length());
        INDArray argmax = org.nd4j.linalg.ops.transforms.Transforms.abs(u, true).argMax(0);
        boolean flipped = false;
        for (int i = 0; i < s.length(); i++) {
            if (u.getDouble(argmax.getLong(i), i) < 0) {
                signs.putScalar(0, i, -1.0);
                flipped = true;
            }
        }
        if (flipped) {
            u.muliRowVector(signs);
            vt.muliColumnVector(signs.reshape(s.length(), 1));
        }
        return this;
    }
}
