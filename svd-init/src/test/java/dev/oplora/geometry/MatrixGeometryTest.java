package dev.oplora.geometry;

import static dev.oplora.svd.Expect.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.oplora.mask.Mask;
import dev.oplora.precision.Bf16;
import dev.oplora.svd.Constructed;
import dev.oplora.svd.OffPrincipal;
import dev.oplora.svd.Subspace;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Pair and cross-run metrics on pairs whose answers are known by construction. */
class MatrixGeometryTest {

    static final Constructed TRUTH = Constructed.of(60, 40, Constructed.distinct(40), 12);

    @Test
    void identicalMatricesGiveZeros() {
        INDArray w = TRUTH.matrix(DataType.FLOAT);
        MatrixGeometry g = MatrixGeometry.compare(BaseAnalysis.of(w, 8, 0.5), w.dup()).geometry();
        assertEquals(1.0, g.bf16Sparsity());
        assertEquals(1.0, g.atolSparsity());
        assertEquals(0.0, g.nss());
        assertEquals(0.0, g.updateDensity());
        assertTrue(g.maxAngleUDeg() < 1e-6, "max angle U " + g.maxAngleUDeg());
        assertTrue(g.maxAngleVDeg() < 1e-6, "max angle V " + g.maxAngleVDeg());
        assertTrue(Double.isNaN(g.overlapPrincipal()));
        assertEquals(0.0, g.wedinBoundDeg());
        assertEquals(8, g.anglesUDeg().length);
    }

    @Test
    void rotationInAKnownPlaneGivesThatAngle() {
        double theta = Math.toRadians(7.5);
        int k = 6;
        // x: a unit vector orthogonal to every column of U (exists since 60 > 40).
        INDArray u = TRUTH.leftVectors(0, 40, DataType.DOUBLE);
        INDArray x = OffPrincipal.left(new Subspace(u), Nd4j.rand(DataType.DOUBLE, 60, 1));
        x.divi(x.norm2Number());
        INDArray u2 = u.getColumn(2).reshape(60, 1); // inside the top-6 subspace
        // R = I + (cos - 1)(u u^T + x x^T) + sin (x u^T - u x^T): rotates u towards x by theta.
        INDArray r = Nd4j.eye(60).castTo(DataType.DOUBLE)
                .addi(u2.mmul(u2.transpose()).addi(x.mmul(x.transpose())).muli(Math.cos(theta) - 1))
                .addi(x.mmul(u2.transpose()).subi(u2.mmul(x.transpose())).muli(Math.sin(theta)));
        INDArray w0 = TRUTH.matrix(DataType.DOUBLE);
        INDArray w1 = r.mmul(w0);
        MatrixGeometry g = MatrixGeometry.compare(BaseAnalysis.of(w0, k, 0.3), w1).geometry();
        assertEquals(7.5, g.maxAngleUDeg(), 1e-6);
        for (int i = 0; i < k - 1; i++) {
            assertEquals(0.0, g.anglesUDeg()[i], 1e-6, "angle " + i);
        }
        assertTrue(g.maxAngleVDeg() < 1e-6, "right subspace untouched: " + g.maxAngleVDeg());
        assertEquals(0.0, g.nss(), 1e-12, "a rotation keeps the spectrum");
        assertTrue(g.wedinBoundDeg() >= g.maxAngleUDeg(), "Wedin bounds the measured angle");
    }

    @Test
    void scalingShiftsTheSpectrumAndNothingElse() {
        INDArray w0 = TRUTH.matrix(DataType.DOUBLE);
        MatrixGeometry g = MatrixGeometry.compare(BaseAnalysis.of(w0, 5, 0.5), w0.mul(1.1)).geometry();
        assertEquals(0.1, g.nss(), 1e-12);
        assertTrue(g.maxAngleUDeg() < 1e-6 && g.maxAngleVDeg() < 1e-6);
        double[] s = TRUTH.sigma();
        assertEquals((s[4] - s[5]) / s[0], g.sigmaGapK(), 1e-12);
        // ||dW||_2 = 0.1 sigma_1.
        assertEquals(Math.toDegrees(Math.asin(Math.min(1, 0.1 * s[0] / (s[4] - s[5])))), g.wedinBoundDeg(), 1e-9);
    }

    @Test
    void knownSparseDeltaGivesKnownSparsity() {
        int rows = 50;
        int cols = 40;
        float[] w0 = new float[rows * cols];
        for (int i = 0; i < w0.length; i++) {
            w0[i] = Bf16.round((float) Math.sin(i * 0.37) + 1.5f); // bf16-exact values in [0.5, 2.5]
        }
        INDArray base = Nd4j.create(w0, new long[] {rows, cols}, DataType.FLOAT);
        BaseAnalysis analysis = BaseAnalysis.of(base, 4, 0.25);
        int[] low = analysis.lowMagnitude().indices();
        float[] w1 = w0.clone();
        int visible = 0;
        for (int i = 0; i < low.length; i += 5) { // 100 bf16-visible changes, all in the low-magnitude mask
            w1[low[i]] *= 1.05f;
            visible++;
        }
        int belowBf16 = 0;
        for (int i = 1; i < w0.length; i += 10) { // 5e-5: seen by the absolute rule, not by bf16
            if (w1[i] == w0[i]) {
                w1[i] += 5e-5f;
                belowBf16++;
            }
        }
        for (int i = 3; i < w0.length; i += 10) { // 3e-6: below both rules
            w1[i] += 3e-6f;
        }
        MatrixGeometry.Comparison c = MatrixGeometry.compare(analysis, Nd4j.create(w1, new long[] {rows, cols}, DataType.FLOAT));
        MatrixGeometry g = c.geometry();
        double n = rows * cols;
        assertEquals(1 - visible / n, g.bf16Sparsity(), 1e-12);
        assertEquals(1 - (visible + belowBf16) / n, g.atolSparsity(), 1e-12);
        assertEquals(visible, c.updateMask().count());
        assertEquals(1.0, g.overlapLowMagnitude(), 1e-12);
        double expectedPrincipal = analysis.principal().intersectionCount(c.updateMask()) / (double) visible;
        assertEquals(expectedPrincipal, g.overlapPrincipal(), 1e-12);
    }

    @Test
    void crossRunStatisticsOnKnownMasks() {
        Mask a = Mask.fromIndices(2, 5, 0, 1, 2, 3);       // density 0.4
        Mask b = Mask.fromIndices(2, 5, 2, 3, 4, 5);       // density 0.4
        Mask c = Mask.fromIndices(2, 5, 2, 3, 9);          // density 0.3
        CrossRun stats = CrossRun.of(List.of(a, b, c));
        assertEquals(2 / 6.0, stats.jaccard()[0][1], 1e-12);
        assertEquals(2 / 5.0, stats.jaccard()[1][2], 1e-12);
        assertEquals(0.16 / 0.64, stats.randomBaseline()[0][1], 1e-12);
        assertEquals(0.12 / 0.58, stats.randomBaseline()[0][2], 1e-12);
        assertEquals(1.0, stats.jaccard()[2][2]);
        // Union {0,1,2,3,4,5,9} = 7 entries; {2,3} in all three runs.
        assertEquals(2 / 7.0, stats.consensusRatio(), 1e-12);
        assertArrayEquals(new double[] {5 / 7.0, 0, 2 / 7.0}, stats.agreement(), 1e-12); // {0,1,4,5,9} once, {2,3} thrice
        assertArrayEquals(new double[] {(0.8 + 0.6 + 0.4) / 3, (0 + 0.2 + 0.2) / 3}, stats.rowUpdateRatio(), 1e-12);
        assertEquals((0.5 + 0.5 + 0) / 3, stats.columnUpdateRatio()[0], 1e-12); // entries 0 and 5
        float[] consensus = CrossRun.consensus(List.of(a, b, c));
        assertEquals(1f, consensus[2]);
        assertEquals(1f / 3, consensus[9], 1e-7);
        assertMessage(() -> CrossRun.of(List.of(a)), "at least two runs");
    }

    @Test
    void badInputIsNamed() {
        INDArray w = TRUTH.matrix(DataType.FLOAT);
        assertMessage(() -> BaseAnalysis.of(w, 4, 0), "alpha must be in (0, 1]");
        assertMessage(() -> BaseAnalysis.of(w, 0, 0.5), "k must be positive");
        assertMessage(() -> MatrixGeometry.compare(BaseAnalysis.of(w, 4, 0.5), Nd4j.rand(DataType.FLOAT, 40, 60)),
                "base has shape [60, 40] but tuned has shape [40, 60]");
        INDArray nan = w.dup();
        nan.putScalar(5, 6, Float.NaN);
        assertMessage(() -> MatrixGeometry.compare(BaseAnalysis.of(w, 4, 0.5), nan), "tuned contains NaN or Inf at [5, 6]");
        assertEquals(39, BaseAnalysis.of(w, 64, 0.5).k(), "k is clipped to min(m, n) - 1");
    }
}
