package dev.oplora.geometry;

import dev.oplora.mask.Mask;
import dev.oplora.svd.MatrixChecks;
import dev.oplora.svd.RowMajor;
import dev.oplora.svd.Subspace;
import dev.oplora.svd.Svd;
import dev.oplora.svd.Svds;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The paper's parameter-level metrics for one matrix, base W0 against tuned W1.
 *
 * @param k principal rank used for angles, masks and the gap
 * @param bf16Sparsity fraction unchanged under the PNT bf16 rule
 * @param atolSparsity fraction unchanged under |w1 - w0| <= 1e-5
 * @param nss ||sigma(W1) - sigma(W0)|| / ||sigma(W0)||
 * @param anglesUDeg principal angles between top-k left singular subspaces, ascending, degrees
 * @param anglesVDeg the same for right singular subspaces
 * @param overlapPrincipal |M_princ & M| / |M| for the update mask M (random baseline alpha); NaN when nothing changed
 * @param overlapLowMagnitude |M_low & M| / |M|
 * @param updateDensity |M| / size
 * @param sigmaGapK (sigma_k - sigma_{k+1}) / sigma_1 of the base
 * @param wedinBoundDeg degrees(arcsin(min(1, ||W1 - W0||_2 / (sigma_k - sigma_{k+1})))): the
 *     largest rotation any update of this size could cause (Wedin's sin-theta theorem)
 */
public record MatrixGeometry(long rows, long cols, int k, double bf16Sparsity, double atolSparsity, double nss,
                             double[] anglesUDeg, double[] anglesVDeg, double overlapPrincipal,
                             double overlapLowMagnitude, double updateDensity, double sigmaGapK,
                             double wedinBoundDeg) {

    /** Metrics plus the update mask, which cross-run statistics need. */
    public record Comparison(MatrixGeometry geometry, Mask updateMask) {
    }

    /** The metrics of {@link GeometryKeys#SUMMARY} by key (overlaps NaN when nothing changed). */
    public java.util.Map<String, Double> summaryValues() {
        java.util.Map<String, Double> out = new java.util.LinkedHashMap<>();
        out.put(GeometryKeys.BF16_SPARSITY, bf16Sparsity);
        out.put(GeometryKeys.ATOL_SPARSITY, atolSparsity);
        out.put(GeometryKeys.NSS, nss);
        out.put(GeometryKeys.MAX_ANGLE_U_DEG, maxAngleUDeg());
        out.put(GeometryKeys.MAX_ANGLE_V_DEG, maxAngleVDeg());
        out.put(GeometryKeys.OVERLAP_PRINCIPAL, overlapPrincipal);
        out.put(GeometryKeys.OVERLAP_LOW_MAGNITUDE, overlapLowMagnitude);
        out.put(GeometryKeys.UPDATE_DENSITY, updateDensity);
        out.put(GeometryKeys.WEDIN_BOUND_DEG, wedinBoundDeg);
        return out;
    }

    public double maxAngleUDeg() {
        return anglesUDeg[anglesUDeg.length - 1];
    }

    public double maxAngleVDeg() {
        return anglesVDeg[anglesVDeg.length - 1];
    }

    /** Compares a tuned matrix with an analysed base. */
    public static Comparison compare(BaseAnalysis base, INDArray w1) {
        MatrixChecks.requireFiniteMatrix("tuned", w1);
        MatrixChecks.requireSameShape("base", base.w0(), "tuned", w1);
        long rows = w1.rows();
        long cols = w1.columns();
        float[] v0 = base.values();
        float[] v1 = RowMajor.floats(w1);
        UpdateSparsity.Scan scan = UpdateSparsity.scan(rows, cols, v0, v1);
        UpdateSparsity.Result counts = scan.counts();
        Mask update = scan.update();

        INDArray w64 = w1.castTo(DataType.DOUBLE);
        double[] sigma1 = Svds.singularValues(w64).toDoubleVector();
        int k = base.k();
        Svd top1 = Svds.top(w64, k);
        double[] anglesU = PrincipalAngles.degrees(Subspace.left(base.top(), k), Subspace.left(top1, k));
        double[] anglesV = PrincipalAngles.degrees(Subspace.right(base.top(), k), Subspace.right(top1, k));

        INDArray delta = w64.sub(base.w64());
        double deltaNorm = delta.amaxNumber().doubleValue() == 0 ? 0 : Svds.top(delta, 1).s().getDouble(0);
        double gap = base.sigma()[k - 1] - base.sigma()[k];
        double wedin = deltaNorm == 0 ? 0 : gap <= 0 ? 90 : Math.toDegrees(Math.asin(Math.min(1, deltaNorm / gap)));

        long changed = update.count();
        MatrixGeometry geometry = new MatrixGeometry(rows, cols, k, counts.bf16Sparsity(), counts.atolSparsity(),
                SpectralDrift.nss(base.sigma(), sigma1), anglesU, anglesV,
                changed == 0 ? Double.NaN : base.principal().intersectionCount(update) / (double) changed,
                changed == 0 ? Double.NaN : base.lowMagnitude().intersectionCount(update) / (double) changed,
                counts.updateDensity(), base.sigmaGap(), wedin);
        return new Comparison(geometry, update);
    }
}
