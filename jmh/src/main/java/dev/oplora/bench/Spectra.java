package dev.oplora.bench;

import dev.oplora.svd.Subspace;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Benchmark matrices with a known decaying spectrum: Q1 diag(1/i) Q2^T from random orthonormal factors. */
final class Spectra {

    private Spectra() {
    }

    static INDArray harmonic(int m, int n, DataType type, long seed) {
        Nd4j.getRandom().setSeed(seed);
        int p = Math.min(m, n);
        INDArray u = Subspace.spanOf(Nd4j.randn(DataType.FLOAT, m, p)).basis();
        INDArray v = Subspace.spanOf(Nd4j.randn(DataType.FLOAT, n, p)).basis();
        INDArray s = Nd4j.createUninitialized(DataType.FLOAT, 1, p);
        for (int i = 0; i < p; i++) {
            s.putScalar(0, i, 1.0 / (i + 1));
        }
        return Nd4j.gemm(u.mulRowVector(s), v, false, true).castTo(type);
    }
}
