package dev.oplora.svd;

import static dev.oplora.svd.Expect.assertMessage;
import static dev.oplora.svd.Matrices.frobenius;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Off-principal projections on X built from known components: X = U_k C + X_perp, where X_perp
 * is orthogonal to span(U_k) by construction, so the left projection must return exactly X_perp.
 */
class ProjectionTest {

    static final int M = 70;
    static final int N = 50;
    static final int K = 8;
    static final Constructed TRUTH = Constructed.of(M, N, Constructed.distinct(N), 31);

    @Test
    void leftProjectionRemovesExactlyThePrincipalComponent() {
        INDArray uAll = TRUTH.leftVectors(0, N, DataType.DOUBLE);
        INDArray uk = TRUTH.leftVectors(0, K, DataType.DOUBLE);
        INDArray rest = TRUTH.leftVectors(K, N, DataType.DOUBLE);
        INDArray inside = uk.mmul(Nd4j.rand(DataType.DOUBLE, K, 30));
        INDArray outside = rest.mmul(Nd4j.rand(DataType.DOUBLE, N - K, 30));
        INDArray x = inside.add(outside);
        Subspace u = new Subspace(uk);

        INDArray projected = OffPrincipal.left(u, x);
        assertTrue(frobenius(projected.sub(outside)) < 1e-12 * frobenius(x));
        assertEquals(x, inside.add(outside), "input untouched");

        INDArray inPlace = x.dup('c');
        assertSame(inPlace, Projector.left(u, 30).apply(inPlace));
        assertTrue(frobenius(inPlace.sub(outside)) < 1e-12 * frobenius(x));
        assertTrue(frobenius(Nd4j.gemm(uAll, inPlace, true, false).get(
                org.nd4j.linalg.indexing.NDArrayIndex.interval(0, K), org.nd4j.linalg.indexing.NDArrayIndex.all())) < 1e-12);
    }

    @Test
    void rightAndTwoSidedProjections() {
        INDArray vk = TRUTH.rightVectors(0, K, DataType.FLOAT);
        INDArray uk = TRUTH.leftVectors(0, K, DataType.FLOAT);
        Subspace v = new Subspace(vk);
        Subspace u = new Subspace(uk);
        INDArray x = Nd4j.rand(DataType.FLOAT, M, N).subi(0.5);

        INDArray right = OffPrincipal.right(x, v);
        assertTrue(frobenius(Nd4j.gemm(right, vk, false, false)) < 1e-5 * frobenius(x), "(X P) V_k = 0");
        INDArray both = OffPrincipal.twoSided(u, x, v);
        assertTrue(frobenius(Nd4j.gemm(uk, both, true, false)) < 1e-5 * frobenius(x), "U_k^T (P X P) = 0");
        assertTrue(frobenius(Nd4j.gemm(both, vk, false, false)) < 1e-5 * frobenius(x), "(P X P) V_k = 0");
        // Idempotent: projecting twice changes nothing.
        assertTrue(frobenius(OffPrincipal.twoSided(u, both, v).sub(both)) < 1e-5 * frobenius(x));

        INDArray a = x.dup('c');
        Projector.right(v, M).apply(a);
        assertTrue(frobenius(a.sub(right)) < 1e-5 * frobenius(x));
        INDArray b = x.dup('c');
        Projector projector = Projector.twoSided(u, v);
        projector.apply(b);
        assertTrue(frobenius(b.sub(both)) < 1e-5 * frobenius(x));
        // The same projector serves many calls (its workspace is reused).
        INDArray c = x.mul(2);
        projector.apply(c);
        assertTrue(frobenius(c.sub(both.mul(2))) < 1e-5 * frobenius(x));
        // The backend-neutral path (Nd4j.gemm, used on CUDA) gives the same answer.
        INDArray d = x.dup('c');
        Projector.twoSided(u, v).throughNd4j().apply(d);
        assertTrue(frobenius(d.sub(both)) < 1e-5 * frobenius(x));
    }

    @Test
    void spanAndSubspaceChecks() {
        INDArray columns = Nd4j.rand(DataType.DOUBLE, 20, 4);
        Subspace span = Subspace.spanOf(columns);
        assertTrue(Matrices.orthonormalityError(span.basis()) < 1e-12);
        // Same span: projecting the original columns off it leaves nothing.
        assertTrue(frobenius(OffPrincipal.left(span, columns)) < 1e-12);
        Subspace.of(span.basis());
        assertMessage(() -> Subspace.of(columns), "basis columns are not orthonormal");
        assertMessage(() -> new Subspace(Nd4j.rand(DataType.FLOAT, 3, 5)), "a basis of R^3 cannot have 5 columns");
    }

    @Test
    void badShapesAreNamed() {
        Subspace u = new Subspace(TRUTH.leftVectors(0, K, DataType.FLOAT));
        assertMessage(() -> OffPrincipal.left(u, Nd4j.rand(DataType.FLOAT, 10, 3)), "x has 10 rows but the subspace lives in R^70");
        assertMessage(() -> OffPrincipal.right(Nd4j.rand(DataType.FLOAT, 3, 10), u), "x has 10 columns");
        assertMessage(() -> Projector.left(u, 30).apply(Nd4j.rand(DataType.FLOAT, M, 31)), "projector built for 70x30 matrices");
        assertMessage(() -> Projector.left(u, 30).apply(Nd4j.rand(DataType.DOUBLE, M, 30)), "contiguous c-order FLOAT matrix");
        assertMessage(() -> Projector.left(u, 30).apply(Nd4j.rand(DataType.FLOAT, 30, M).transpose()), "contiguous c-order");
    }
}
