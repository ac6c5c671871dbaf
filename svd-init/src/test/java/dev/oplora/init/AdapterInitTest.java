package dev.oplora.init;

import static dev.oplora.svd.Matrices.frobenius;
import static dev.oplora.svd.Matrices.orthonormalityError;
import static dev.oplora.svd.Expect.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.oplora.geometry.PrincipalAngles;
import dev.oplora.svd.Constructed;
import dev.oplora.svd.Subspace;
import dev.oplora.svd.SvdSolver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Each init's promise, checked on a W whose singular vectors are known by construction. */
class AdapterInitTest {

    static final int OUT = 96;
    static final int IN = 64;
    static final Constructed TRUTH = Constructed.of(OUT, IN, Constructed.distinct(IN), 17);
    static final INDArray W = TRUTH.matrix(DataType.FLOAT);

    @Test
    void opLoraRowsAreOrthonormalAndOffPrincipal() {
        int k = 16;
        InitOptions options = new InitOptions(8, 16, false, k, 3, new SvdSolver.Partial());
        LowRankInit init = new AdapterInit.OpLora().apply(W, options);
        INDArray vk = TRUTH.rightVectors(0, k, DataType.FLOAT);
        double leakage = frobenius(Nd4j.gemm(init.a(), vk, false, false)) / frobenius(init.a());
        assertTrue(leakage < 1e-5, "||A0 V_k|| / ||A0|| = " + leakage);
        assertTrue(orthonormalityError(init.a().transpose()) < 1e-6, "A0 A0^T - I");
        assertEquals(0.0, init.b().amaxNumber().doubleValue());
        assertNull(init.residual());
        assertEquals(2.0, init.scaling());
        assertEquals(DataType.FLOAT, init.a().dataType());
        assertEquals(8, init.a().rows());
        assertEquals(IN, init.a().columns());
        assertEquals(OUT, init.b().rows());
        // Seeded: same seed same rows, another seed another subspace.
        assertEquals(init.a(), new AdapterInit.OpLora().apply(W, options).a());
        INDArray other = new AdapterInit.OpLora().apply(W, new InitOptions(8, 16, false, k, 4, new SvdSolver.Partial())).a();
        assertTrue(PrincipalAngles.maxDegrees(new Subspace(init.a().transpose()), new Subspace(other.transpose())) > 10);
    }

    @Test
    void opLoraDefaultPrincipalRankIsMin64OrQuarter() {
        assertEquals(16, InitOptions.defaultPrincipalRank(96, 64));
        assertEquals(64, InitOptions.defaultPrincipalRank(896, 4864));
        assertEquals(1, InitOptions.defaultPrincipalRank(3, 2));
        LowRankInit init = new AdapterInit.OpLora().apply(W, InitOptions.of(4, 1));
        INDArray v16 = TRUTH.rightVectors(0, 16, DataType.FLOAT);
        assertTrue(frobenius(Nd4j.gemm(init.a(), v16, false, false)) / frobenius(init.a()) < 1e-5);
    }

    @ParameterizedTest
    @ValueSource(strings = {"pissa", "milora"})
    void splitInitsReconstructWAndSpanTheChosenTriplets(String name) {
        int r = 6;
        for (boolean rslora : new boolean[] {false, true}) {
            InitOptions options = new InitOptions(r, 12, rslora, 0, 0, new SvdSolver.Partial());
            LowRankInit init = AdapterInit.parse(name).apply(W, options);
            assertTrue(AdapterInit.parse(name).replacesBase());
            INDArray delta = Nd4j.gemm(init.b(), init.a(), false, false).muli(init.scaling());
            double error = init.residual().add(delta).sub(W).amaxNumber().doubleValue();
            assertTrue(error < 4e-6 * W.amaxNumber().doubleValue() * 10, name + " reconstruction error " + error);

            int from = name.equals("pissa") ? 0 : IN - r;
            Subspace left = new Subspace(TRUTH.leftVectors(from, from + r, DataType.DOUBLE));
            Subspace right = new Subspace(TRUTH.rightVectors(from, from + r, DataType.DOUBLE));
            assertTrue(PrincipalAngles.maxDegrees(Subspace.spanOf(init.b().castTo(DataType.DOUBLE)), left) < 1e-2);
            assertTrue(PrincipalAngles.maxDegrees(Subspace.spanOf(init.a().transpose().castTo(DataType.DOUBLE)), right) < 1e-2);
            // s B0 A0 = U_r S_r V_r^T exactly: its singular values are the chosen ones.
            double[] sigma = dev.oplora.svd.Svds.singularValues(delta).toDoubleVector();
            for (int i = 0; i < r; i++) {
                assertEquals(TRUTH.sigma()[from + i], sigma[i], 1e-5 * TRUTH.sigma()[0], name + " sigma " + i);
            }
            // B0 and A0 carry equal shares: B0^T B0 = A0 A0^T = diag(S_r / s).
            INDArray bb = Nd4j.gemm(init.b(), init.b(), true, false);
            INDArray aa = Nd4j.gemm(init.a(), init.a(), false, true);
            assertTrue(bb.sub(aa).amaxNumber().doubleValue() < 1e-4 * bb.amaxNumber().doubleValue());
            assertEquals(rslora ? 12 / Math.sqrt(r) : 2.0, init.scaling(), 1e-12);
        }
    }

    @Test
    void opLoraMinorRowsAreTheBottomRightSingularVectors() {
        LowRankInit init = AdapterInit.parse("op-lora-minor").apply(W, InitOptions.of(5, 0));
        Subspace bottom = new Subspace(TRUTH.rightVectors(IN - 5, IN, DataType.DOUBLE));
        assertTrue(PrincipalAngles.maxDegrees(Subspace.spanOf(init.a().transpose().castTo(DataType.DOUBLE)), bottom) < 1e-2);
        assertTrue(orthonormalityError(init.a().transpose()) < 1e-5);
        assertEquals(0.0, init.b().amaxNumber().doubleValue());
        assertNull(init.residual());
        assertFalse(AdapterInit.parse("op-lora-minor").replacesBase());
    }

    @Test
    void loraInitsFollowPeftDistributions() {
        INDArray big = Nd4j.rand(DataType.FLOAT, 64, 4096);
        LowRankInit kaiming = AdapterInit.parse("lora").apply(big, InitOptions.of(16, 5));
        double bound = 1 / Math.sqrt(4096);
        assertTrue(kaiming.a().amaxNumber().doubleValue() <= bound);
        double variance = kaiming.a().varNumber().doubleValue();
        assertEquals(bound * bound / 3, variance, 0.05 * bound * bound / 3, "uniform(-b, b) variance");
        assertEquals(0.0, kaiming.b().amaxNumber().doubleValue());
        assertNull(kaiming.residual());

        LowRankInit gaussian = AdapterInit.parse("gaussian").apply(big, InitOptions.of(16, 5));
        assertInstanceOf(AdapterInit.Lora.class, AdapterInit.parse("lora-gaussian"));
        assertEquals(1.0 / 16, gaussian.a().stdNumber().doubleValue(), 0.02 / 16, "std 1/r");
        assertNotEquals(kaiming.a(), AdapterInit.parse("lora").apply(big, InitOptions.of(16, 6)).a());
    }

    @Test
    void badInputIsNamed() {
        assertMessage(() -> InitOptions.of(0, 1), "rank r must be positive");
        assertMessage(() -> new InitOptions(4, 0, false, 0, 0, new SvdSolver.Full()), "lora_alpha must be a positive");
        assertMessage(() -> new InitOptions(4, 4, false, -1, 0, new SvdSolver.Full()), "principal_rank must be >= 0");
        assertMessage(() -> AdapterInit.parse("loha"), "unknown init_lora_weights 'loha'");
        for (String name : AdapterInit.NAMES) {
            assertMessage(() -> AdapterInit.parse(name).apply(W, InitOptions.of(65, 0)), "rank r must be in [1, 64]");
            INDArray nan = W.dup();
            nan.putScalar(2, 3, Float.NaN);
            assertMessage(() -> AdapterInit.parse(name).apply(nan, InitOptions.of(2, 0)), "w contains NaN or Inf at [2, 3]");
            assertMessage(() -> AdapterInit.parse(name).apply(Nd4j.rand(DataType.FLOAT, 3, 4, 5), InitOptions.of(2, 0)),
                    "w must be a 2-D matrix");
        }
        assertMessage(() -> new AdapterInit.OpLora().apply(W, new InitOptions(2, 2, false, 64, 0, new SvdSolver.Full())),
                "principal_rank must be in [1, 63]");
        assertMessage(() -> new AdapterInit.OpLora().apply(W, new InitOptions(60, 2, false, 16, 0, new SvdSolver.Full())),
                "does not fit in the 48-dimensional complement");
    }
}
