package dev.oplora.svd;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Small measurements used by the numerical tests. */
public final class Matrices {

    private Matrices() {
    }

    /** max |Q^T Q - I| for a matrix whose columns should be orthonormal. */
    public static double orthonormalityError(INDArray q) {
        INDArray gram = Nd4j.gemm(q, q, true, false);
        return gram.subi(Nd4j.eye(gram.rows()).castTo(gram.dataType())).amaxNumber().doubleValue();
    }

    /** Spectral norm, through LAPACK. */
    public static double spectralNorm(INDArray x) {
        return Svds.singularValues(x).getDouble(0);
    }

    /** Frobenius norm. */
    public static double frobenius(INDArray x) {
        return x.norm2Number().doubleValue();
    }

    /** |a . b| for two vectors (1 when equal up to sign, for unit vectors). */
    public static double absCosine(INDArray a, INDArray b) {
        INDArray x = a.reshape(a.length()).castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE);
        INDArray y = b.reshape(b.length()).castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE);
        return Math.abs(x.mul(y).sumNumber().doubleValue()) / (x.norm2Number().doubleValue() * y.norm2Number().doubleValue());
    }
}
