package dev.oplora.svd;

import static dev.oplora.svd.MatrixChecks.requireFiniteMatrix;
import static dev.oplora.svd.MatrixChecks.requireRank;

import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Randomized top-k SVD (Halko, Martinsson and Tropp 2011, algorithms 4.4 and 5.1): sketch the
 * range of W with k + p Gaussian probes, sharpen it with q power iterations (re-orthonormalised
 * after every product, so small singular values are not lost to rounding), then take the exact
 * SVD of the small projected matrix.
 *
 * <p>Alongside the result it returns an a-posteriori bound on the spectral residual
 * ||W - U_k S_k V_k^T||_2 from HMT lemma 4.1: for any matrix R and t independent Gaussian
 * vectors, ||R||_2 <= 10 sqrt(2/pi) max_i ||R w_i|| fails with probability at most 10^-t.
 */
public final class RandomizedSvd {

    /** Number of fresh probes behind the residual bound; the bound fails with probability 10^-PROBES. */
    public static final int PROBES = 10;

    /** A truncated SVD and the probabilistic upper bound on its spectral residual. */
    public record Result(Svd svd, double residualBound) {
        /** Probability that {@link #residualBound()} is below the true residual. */
        public double failureProbability() {
            return Math.pow(10, -PROBES);
        }
    }

    private RandomizedSvd() {
    }

    /**
     * @param w the matrix (float32 or float64; the computation runs in its precision)
     * @param k triplets wanted, 1 <= k <= min(m, n)
     * @param oversampling p, extra probes (10 is the usual choice)
     * @param powerIterations q, subspace iterations (2 suffices for 1/i spectra)
     * @param seed seed of the Gaussian probes; equal seeds give equal results
     */
    public static Result compute(INDArray w, int k, int oversampling, int powerIterations, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Svd approx = top(w, k, oversampling, powerIterations, random);
        return new Result(approx, residualBound(w, approx, random));
    }

    /**
     * The same decomposition without the residual bound (which costs one more product with W):
     * what initialisations and masks use.
     */
    public static Svd top(INDArray w, int k, int oversampling, int powerIterations, long seed) {
        return top(w, k, oversampling, powerIterations, new SplittableRandom(seed));
    }

    private static Svd top(INDArray w, int k, int oversampling, int powerIterations, SplittableRandom random) {
        requireRank("k", k, requireFiniteMatrix("w", w));
        if (oversampling < 0 || powerIterations < 0) {
            throw new IllegalArgumentException("oversampling and power iterations must be >= 0, got p = "
                    + oversampling + ", q = " + powerIterations);
        }
        int m = (int) w.rows();
        int n = (int) w.columns();
        int width = Math.min(k + oversampling, Math.min(m, n));

        INDArray q = rangeBasis(w, gaussian(w.dataType(), n, width, random), powerIterations);
        INDArray b = Nd4j.gemm(q, w, true, false);                 // width x n
        Svd small = Lapack.gesdd(b);
        INDArray u = Nd4j.gemm(q, small.u(), false, false);         // m x width
        return new Svd(u, small.s(), small.vt()).top(k).canonicalSigns();
    }

    /** Orthonormal basis (m x width) of the sketch W Omega after q power iterations. */
    private static INDArray rangeBasis(INDArray w, INDArray omega, int powerIterations) {
        INDArray y = Nd4j.gemm(w, omega, false, false);
        Lapack.orthonormalizeColumnsInPlace(y);
        for (int i = 0; i < powerIterations; i++) {
            INDArray z = Nd4j.gemm(w, y, true, false);             // n x width
            Lapack.orthonormalizeColumnsInPlace(z);
            y = Nd4j.gemm(w, z, false, false);
            Lapack.orthonormalizeColumnsInPlace(y);
        }
        return y;
    }

    /** 10 sqrt(2/pi) max_i ||(W - U S V^T) w_i|| over {@link #PROBES} fresh Gaussian vectors. */
    static double residualBound(INDArray w, Svd approx, SplittableRandom random) {
        INDArray probes = gaussian(w.dataType(), w.columns(), PROBES, random);
        INDArray residual = Nd4j.gemm(w, probes, false, false);                       // W Omega
        INDArray coefficients = Nd4j.gemm(approx.vt(), probes, false, false);           // V^T Omega
        coefficients.muliColumnVector(approx.s().reshape(approx.size(), 1));
        Nd4j.gemm(approx.u(), coefficients, residual, false, false, -1.0, 1.0);         // - U S V^T Omega
        double largest = residual.norm2(0).maxNumber().doubleValue();
        return 10 * Math.sqrt(2 / Math.PI) * largest;
    }

    static INDArray gaussian(DataType type, long rows, long cols, SplittableRandom random) {
        double[] values = new double[Math.toIntExact(rows * cols)];
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextGaussian();
        }
        return Nd4j.create(values, new long[] {rows, cols}, DataType.DOUBLE).castTo(type);
    }
}
