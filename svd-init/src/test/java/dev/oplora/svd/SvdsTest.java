package dev.oplora.svd;

import static dev.oplora.svd.Matrices.absCosine;
import static dev.oplora.svd.Matrices.frobenius;
import static dev.oplora.svd.Matrices.orthonormalityError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static dev.oplora.svd.Expect.assertMessage;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.oplora.geometry.PrincipalAngles;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Full and partial LAPACK SVD against matrices with a known decomposition. Tolerances are relative
 * to sigma_1 and scale with the precision: 2e-5 for float32 (a few hundred ulps of accumulated
 * GEMM rounding at these sizes), 1e-12 for float64.
 */
class SvdsTest {

    static Stream<Arguments> shapes() {
        return Stream.of(
                Arguments.of(200, 120, DataType.FLOAT), Arguments.of(120, 200, DataType.FLOAT),
                Arguments.of(150, 150, DataType.FLOAT), Arguments.of(200, 120, DataType.DOUBLE),
                Arguments.of(120, 200, DataType.DOUBLE), Arguments.of(150, 150, DataType.DOUBLE));
    }

    static double tolerance(DataType type) {
        return type == DataType.FLOAT ? 2e-5 : 1e-12;
    }

    @ParameterizedTest(name = "{0}x{1} {2}")
    @MethodSource("shapes")
    void fullSvdRecoversConstructedDecomposition(int m, int n, DataType type) {
        int p = Math.min(m, n);
        Constructed truth = Constructed.of(m, n, Constructed.distinct(p), 11 + m + n);
        INDArray w = truth.matrix(type);
        Svd svd = Svds.full(w);
        double tol = tolerance(type);

        assertEquals(type, svd.u().dataType());
        assertEquals(m, svd.u().rows());
        assertEquals(p, svd.s().length());
        assertEquals(n, svd.vt().columns());
        assertTrue(frobenius(svd.reconstruct().sub(w)) <= tol * truth.sigma()[0] * Math.sqrt(p),
                "reconstruction error " + frobenius(svd.reconstruct().sub(w)));
        assertTrue(orthonormalityError(svd.u()) < 10 * tol, "U^T U - I " + orthonormalityError(svd.u()));
        assertTrue(orthonormalityError(svd.v()) < 10 * tol, "V^T V - I " + orthonormalityError(svd.v()));
        for (int i = 0; i < p; i++) {
            assertEquals(truth.sigma()[i], svd.s().getDouble(i), tol * truth.sigma()[0], "sigma_" + i);
            if (i > 0) {
                assertTrue(svd.s().getDouble(i) <= svd.s().getDouble(i - 1), "descending at " + i);
            }
        }
        // Distinct values: each singular vector is determined up to sign.
        for (int i : new int[] {0, 1, p / 2, p - 1}) {
            assertEquals(1.0, absCosine(svd.u().getColumn(i), truth.leftVectors(i, i + 1, type)), 1e3 * tol, "u_" + i);
            assertEquals(1.0, absCosine(svd.vt().getRow(i), truth.rightVectors(i, i + 1, type)), 1e3 * tol, "v_" + i);
        }
        assertSignConvention(svd);
    }

    @Test
    void repeatedSingularValuesGiveTheRightSubspaces() {
        int m = 90;
        int n = 60;
        double[] sigma = new double[n];
        for (int i = 0; i < n; i++) {
            sigma[i] = i < 5 ? 4.0 : i < 20 ? 2.0 : 1.0 / (i + 1); // clusters {4 x5}, {2 x15}, then distinct
        }
        Constructed truth = Constructed.of(m, n, sigma, 5);
        INDArray w = truth.matrix(DataType.DOUBLE);
        Svd svd = Svds.full(w);
        for (int i = 0; i < n; i++) {
            assertEquals(sigma[i], svd.s().getDouble(i), 1e-12, "sigma_" + i);
        }
        assertTrue(frobenius(svd.reconstruct().sub(w)) < 1e-12 * 4 * n);
        // Within a cluster only the subspace is defined: compare spans, not vectors.
        Subspace cluster = new Subspace(svd.u().get(NDArrayIndex.all(), NDArrayIndex.interval(5, 20)));
        Subspace expected = new Subspace(truth.leftVectors(5, 20, DataType.DOUBLE));
        assertTrue(PrincipalAngles.maxDegrees(cluster, expected) < 1e-8);
    }

    @ParameterizedTest(name = "{0}x{1} {2}")
    @MethodSource("shapes")
    void partialSvdAgreesWithFullOnTheChosenTriplets(int m, int n, DataType type) {
        int p = Math.min(m, n);
        INDArray w = Constructed.of(m, n, Constructed.distinct(p), 3 + m).matrix(type);
        Svd full = Svds.full(w);
        double tol = tolerance(type);
        Svd top = Svds.top(w, 7);
        Svd bottom = Svds.bottom(w, 5);
        Svd middle = Svds.range(w, 40, 44);
        assertTriplesMatch(full.top(7), top, tol);
        assertTriplesMatch(full.bottom(5), bottom, tol);
        assertTriplesMatch(full.slice(40, 44), middle, tol);
        assertSignConvention(top);
        assertSignConvention(bottom);
    }

    @Test
    void singularValuesOnlyMatchFullDecomposition() {
        INDArray w = Constructed.of(80, 50, Constructed.distinct(50), 9).matrix(DataType.FLOAT);
        INDArray s = Svds.singularValues(w);
        assertTrue(s.sub(Svds.full(w).s()).amaxNumber().doubleValue() < 1e-5 * s.getDouble(0));
    }

    @Test
    void inputIsNotModified() {
        INDArray w = Constructed.of(40, 30, Constructed.distinct(30), 1).matrix(DataType.FLOAT);
        INDArray copy = w.dup();
        Svds.full(w);
        Svds.top(w, 3);
        Svds.singularValues(w);
        assertEquals(copy, w);
    }

    @Test
    void badInputIsNamed() {
        INDArray w = Nd4j.rand(DataType.FLOAT, 20, 10);
        assertMessage(() -> Svds.top(w, 0), "k must be in [1, 10]");
        assertMessage(() -> Svds.top(w, 11), "k must be in [1, 10]");
        assertMessage(() -> Svds.bottom(w, -1), "r must be in [1, 10]");
        assertMessage(() -> Svds.full(Nd4j.rand(DataType.FLOAT, 2, 3, 4)), "w must be a 2-D matrix");
        assertMessage(() -> Svds.full(Nd4j.rand(DataType.FLOAT, 5)), "w must be a 2-D matrix");
        INDArray nan = w.dup();
        nan.putScalar(3, 4, Float.NaN);
        assertMessage(() -> Svds.full(nan), "w contains NaN or Inf at [3, 4]");
        INDArray inf = w.dup();
        inf.putScalar(0, 9, Float.POSITIVE_INFINITY);
        assertMessage(() -> Svds.top(inf, 2), "w contains NaN or Inf at [0, 9]");
        assertMessage(() -> Svds.full(Nd4j.create(DataType.INT, 4, 4)), "w must be FLOAT or DOUBLE");
    }

    static void assertTriplesMatch(Svd expected, Svd actual, double tol) {
        assertEquals(expected.size(), actual.size());
        double scale = expected.s().getDouble(0);
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.s().getDouble(i), actual.s().getDouble(i), tol * 10 * scale, "sigma " + i);
            assertEquals(1.0, absCosine(expected.u().getColumn(i), actual.u().getColumn(i)), 1e3 * tol, "u " + i);
            assertEquals(1.0, absCosine(expected.vt().getRow(i), actual.vt().getRow(i)), 1e3 * tol, "v " + i);
        }
    }

    /** The largest-magnitude entry of every left singular vector is positive. */
    static void assertSignConvention(Svd svd) {
        for (int i = 0; i < svd.size(); i++) {
            INDArray column = svd.u().getColumn(i);
            double largest = column.amaxNumber().doubleValue();
            double max = column.maxNumber().doubleValue();
            assertEquals(largest, max, 1e-6 * largest, "sign of u_" + i);
        }
    }
}
