package dev.oplora.geometry;

import dev.oplora.mask.Mask;
import dev.oplora.mask.MaskKind;
import dev.oplora.mask.MaskOptions;
import dev.oplora.svd.MatrixChecks;
import dev.oplora.svd.RowMajor;
import dev.oplora.svd.SvdSolver;
import dev.oplora.svd.Svd;
import dev.oplora.svd.Svds;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Everything about a base matrix W0 that the pair metrics need, computed once and shared by every
 * tuned run compared against it: the whole spectrum and the top-k triplets in float64, and the
 * principal and low-magnitude masks of density alpha, and the base's values as float32 (for the
 * sparsity scan) and float64 (for the update's spectral norm), so no run copies them again.
 *
 * @param k the principal rank used: the requested k, clipped to min(m, n) - 1 for small matrices
 */
public record BaseAnalysis(INDArray w0, int k, double alpha, double[] sigma, Svd top, Mask principal, Mask lowMagnitude,
                           float[] values, INDArray w64) {

    /** Analyses W0 with principal rank k (clipped) and mask density alpha. */
    public static BaseAnalysis of(INDArray w0, int k, double alpha) {
        MatrixChecks.requireFiniteMatrix("base", w0);
        MatrixChecks.requireDensity("alpha", alpha);
        if (k <= 0) {
            throw new IllegalArgumentException("k must be positive, got " + k);
        }
        int used = (int) Math.min(k, Math.min(w0.rows(), w0.columns()) - 1);
        if (used < 1) {
            throw new IllegalArgumentException("a " + w0.rows() + "x" + w0.columns() + " matrix has no principal subspace to measure");
        }
        INDArray w64 = w0.castTo(DataType.DOUBLE);
        double[] sigma = Svds.singularValues(w64).toDoubleVector();
        Svd top = Svds.top(w64, used + 1); // one extra triplet is cheap and gives sigma_{k+1} to full precision
        MaskOptions masks = new MaskOptions(alpha, used, 0, new SvdSolver.Partial());
        Mask principal = new MaskKind.Principal().build(w64, masks);
        Mask low = new MaskKind.MagnitudeLow().build(w0, masks);
        float[] values = RowMajor.floats(w0);
        return new BaseAnalysis(w0, used, alpha, sigma, top, principal, low, values, w64);
    }

    /** (sigma_k - sigma_{k+1}) / sigma_1. */
    public double sigmaGap() {
        return sigma[0] == 0 ? 0 : (sigma[k - 1] - sigma[k]) / sigma[0];
    }
}
