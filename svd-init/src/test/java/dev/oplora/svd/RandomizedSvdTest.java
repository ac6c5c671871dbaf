package dev.oplora.svd;

import static dev.oplora.svd.Matrices.orthonormalityError;
import static dev.oplora.svd.Matrices.spectralNorm;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.oplora.geometry.PrincipalAngles;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Randomized SVD against the guarantees of Halko, Martinsson and Tropp, on constructed spectra.
 * The theory promises a near-optimal residual for any spectrum; a small principal angle only when
 * the spectrum has a gap after sigma_k.
 */
class RandomizedSvdTest {

    @Test
    void harmonicSpectrumResidualIsNearOptimal() {
        int m = 700;
        int n = 500;
        int k = 64;
        Constructed truth = Constructed.of(m, n, Constructed.harmonic(n), 21);
        INDArray w = truth.matrix(DataType.FLOAT);
        RandomizedSvd.Result result = RandomizedSvd.compute(w, k, 10, 2, 7);
        Svd approx = result.svd();

        double sigmaNext = truth.sigma()[k];
        double residual = spectralNorm(w.sub(approx.reconstruct()));
        assertTrue(residual <= 1.1 * sigmaNext, "||W - W_k||_2 = " + residual + " vs 1.1 sigma_{k+1} = " + 1.1 * sigmaNext);
        for (int i = 0; i < k; i++) {
            assertEquals(truth.sigma()[i], approx.s().getDouble(i), 1e-3 * truth.sigma()[0], "sigma_" + i);
        }
        assertTrue(orthonormalityError(approx.u()) < 1e-4);
        assertTrue(orthonormalityError(approx.v()) < 1e-4);
        assertTrue(result.residualBound() >= residual,
                "bound " + result.residualBound() + " below the true residual " + residual);
        // Gaussian probes measure ||R w|| ~ ||R||_F, so the bound sits between the spectral and
        // 10 sqrt(2/pi) x a Frobenius-sized quantity; it must at least not exceed that.
        double frobenius = Matrices.frobenius(w.sub(approx.reconstruct()));
        assertTrue(result.residualBound() <= 10 * Math.sqrt(2 / Math.PI) * 2 * frobenius);
        SvdsTest.assertSignConvention(approx);
    }

    @Test
    void gapAfterKGivesTheTopSubspace() {
        int m = 600;
        int n = 400;
        int k = 64;
        double[] sigma = Constructed.harmonic(n);
        for (int i = k; i < n; i++) {
            sigma[i] = 0.5 * sigma[k - 1] * (k / (double) (i + 1)); // sigma_{k+1} = sigma_k / 2, then 1/i decay
        }
        Constructed truth = Constructed.of(m, n, sigma, 4);
        INDArray w = truth.matrix(DataType.DOUBLE);
        Svd approx = RandomizedSvd.compute(w, k, 10, 2, 99).svd();
        double left = PrincipalAngles.maxDegrees(Subspace.left(approx, k), new Subspace(truth.leftVectors(0, k, DataType.DOUBLE)));
        double right = PrincipalAngles.maxDegrees(Subspace.right(approx, k), new Subspace(truth.rightVectors(0, k, DataType.DOUBLE)));
        assertTrue(left < 2.0, "max angle U " + left);
        assertTrue(right < 2.0, "max angle V " + right);
    }

    @Test
    void sameSeedSameResultAndFloat64Works() {
        INDArray w = Constructed.of(120, 90, Constructed.harmonic(90), 2).matrix(DataType.DOUBLE);
        Svd a = RandomizedSvd.compute(w, 10, 5, 1, 3).svd();
        Svd b = RandomizedSvd.compute(w, 10, 5, 1, 3).svd();
        assertEquals(a.u(), b.u());
        assertEquals(DataType.DOUBLE, a.u().dataType());
        assertEquals(1.0, a.s().getDouble(0), 1e-5);
    }

    @Test
    void solverDispatch() {
        INDArray w = Constructed.of(60, 40, Constructed.distinct(40), 8).matrix(DataType.DOUBLE);
        Svd exact = Svds.top(w, 4);
        for (SvdSolver solver : new SvdSolver[] {new SvdSolver.Full(), new SvdSolver.Partial(),
                new SvdSolver.Randomized(20, 4, 1)}) {
            SvdsTest.assertTriplesMatch(exact, solver.top(w, 4), 1e-6);
            SvdsTest.assertTriplesMatch(Svds.bottom(w, 3), solver.bottom(w, 3), 1e-9);
        }
        assertEquals(new SvdSolver.Randomized(10, 2, 5), SvdSolver.parse("randomized", 5));
        assertEquals(new SvdSolver.Randomized(4, 1, 5), SvdSolver.parse("randomized:4:1", 5));
        Expect.assertMessage(() -> SvdSolver.parse("qr", 0), "unknown SVD solver 'qr'");
        Expect.assertMessage(() -> RandomizedSvd.compute(w, 41, 1, 1, 1), "k must be in [1, 40]");
    }
}
