package dev.oplora.geometry;

import dev.oplora.svd.Subspace;
import dev.oplora.svd.Svds;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Principal angles between two k-dimensional subspaces, in float64 and in degrees, ascending.
 *
 * <p>cos(theta_i) = sigma_i(A^T B) alone loses every angle below about 1e-4 degrees in float64
 * (arccos is flat near 1), and near-identical subspaces are exactly what RLVR produces. So angles
 * under 45 degrees are taken from the sines, sigma((I - A A^T) B), and the rest from the cosines
 * (Knyazev and Argentati 2002).
 */
public final class PrincipalAngles {

    private PrincipalAngles() {
    }

    /** Angles in degrees, ascending, between span(a) and span(b) (both with orthonormal columns). */
    public static double[] degrees(Subspace a, Subspace b) {
        if (a.ambient() != b.ambient() || a.dim() != b.dim()) {
            throw new IllegalArgumentException("principal angles need subspaces of equal dimension in the same space, got "
                    + a.dim() + " in R^" + a.ambient() + " and " + b.dim() + " in R^" + b.ambient());
        }
        INDArray qa = a.basis().castTo(DataType.DOUBLE);
        INDArray qb = b.basis().castTo(DataType.DOUBLE);
        INDArray cross = Nd4j.gemm(qa, qb, true, false);                       // k x k
        double[] cosines = Svds.singularValues(cross).toDoubleVector();        // descending
        INDArray residual = qb.dup('c');
        Nd4j.gemm(qa, cross, residual, false, false, -1.0, 1.0);               // (I - A A^T) B
        double[] sines = Svds.singularValues(residual).toDoubleVector();       // descending
        int k = a.dim();
        double[] angles = new double[k];
        for (int i = 0; i < k; i++) {
            double cos = Math.min(1.0, cosines[i]);
            double sin = Math.min(1.0, sines[k - 1 - i]);
            angles[i] = Math.toDegrees(cos > Math.sqrt(0.5) ? Math.asin(sin) : Math.acos(cos));
        }
        java.util.Arrays.sort(angles);
        return angles;
    }

    /** The largest principal angle in degrees. */
    public static double maxDegrees(Subspace a, Subspace b) {
        double[] angles = degrees(a, b);
        return angles[angles.length - 1];
    }
}
