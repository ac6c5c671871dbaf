package dev.oplora.svd;

import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Test matrices with a known SVD, built in plain Java doubles (independently of the LAPACK code
 * under test): U and V are products of random Householder reflections, so they are orthogonal to
 * float64 rounding, and W = U diag(sigma) V^T has exactly the chosen singular values.
 */
public record Constructed(double[][] u, double[] sigma, double[][] v) {

    /** m x n matrix with singular values {@code sigma} (length min(m, n)) and random singular vectors. */
    public static Constructed of(int m, int n, double[] sigma, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int p = Math.min(m, n);
        if (sigma.length != p) {
            throw new IllegalArgumentException("need " + p + " singular values");
        }
        return new Constructed(orthonormal(m, p, random), sigma.clone(), orthonormal(n, p, random));
    }

    /** sigma_i = 1 / (i + 1): slowly decaying, no gap anywhere. */
    public static double[] harmonic(int p) {
        double[] s = new double[p];
        for (int i = 0; i < p; i++) {
            s[i] = 1.0 / (i + 1);
        }
        return s;
    }

    /** Distinct values with a geometric decay from 10 to about 0.1, each gap at least 0.5%. */
    public static double[] distinct(int p) {
        double[] s = new double[p];
        for (int i = 0; i < p; i++) {
            s[i] = 10 * Math.pow(0.01, i / (double) Math.max(1, p - 1)) + 0.01 * (p - i);
        }
        return s;
    }

    /** W = U diag(sigma) V^T in the given precision. */
    public INDArray matrix(DataType type) {
        int m = u.length;
        int n = v.length;
        double[][] w = new double[m][n];
        for (int i = 0; i < m; i++) {
            for (int t = 0; t < sigma.length; t++) {
                double a = u[i][t] * sigma[t];
                if (a == 0) {
                    continue;
                }
                for (int j = 0; j < n; j++) {
                    w[i][j] += a * v[j][t];
                }
            }
        }
        return Nd4j.create(w).castTo(type);
    }

    /** Columns [from, to) of U. */
    public INDArray leftVectors(int from, int to, DataType type) {
        return columns(u, from, to, type);
    }

    /** Columns [from, to) of V. */
    public INDArray rightVectors(int from, int to, DataType type) {
        return columns(v, from, to, type);
    }

    private static INDArray columns(double[][] x, int from, int to, DataType type) {
        double[][] out = new double[x.length][to - from];
        for (int i = 0; i < x.length; i++) {
            System.arraycopy(x[i], from, out[i], 0, to - from);
        }
        return Nd4j.create(out).castTo(type);
    }

    /** First p columns of a product of d random Householder reflections of R^d. */
    static double[][] orthonormal(int d, int p, SplittableRandom random) {
        double[][] q = new double[d][p];
        for (int i = 0; i < p; i++) {
            q[i][i] = 1;
        }
        int reflections = Math.min(d, 24);
        double[] h = new double[d];
        for (int r = 0; r < reflections; r++) {
            double norm = 0;
            for (int i = 0; i < d; i++) {
                h[i] = random.nextGaussian();
                norm += h[i] * h[i];
            }
            for (int j = 0; j < p; j++) {
                double dot = 0;
                for (int i = 0; i < d; i++) {
                    dot += h[i] * q[i][j];
                }
                double f = 2 * dot / norm;
                for (int i = 0; i < d; i++) {
                    q[i][j] -= f * h[i];
                }
            }
        }
        return q;
    }
}
