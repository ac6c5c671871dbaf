package dev.oplora.svd;

import static org.bytedeco.openblas.global.openblas.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas.CblasTrans;

import dev.oplora.runtime.NativeThreads;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Row-major GEMM on contiguous ND4J buffers, straight through OpenBLAS's cblas. ND4J's
 * {@code Nd4j.gemm} builds op descriptors on every call (about 9 KB of garbage); the projector
 * runs once per optimizer step per parameter, so it calls BLAS here. The pointers are reused
 * cursors re-aimed at each buffer, so a call allocates nothing.
 */
final class Blas {

    static {
        NativeThreads.configure();
    }

    /**
     * True when ND4J's buffers are plain host memory that OpenBLAS can read and write (the CPU
     * backend); false on CUDA, whose buffers may be newer on the device than on the host.
     */
    static final boolean SAME_MEMORY = Nd4j.getBackend().getClass().getName().contains(".cpu.");

    private final FloatCursor[] floats = {new FloatCursor(), new FloatCursor(), new FloatCursor()};
    private final DoubleCursor[] doubles = {new DoubleCursor(), new DoubleCursor(), new DoubleCursor()};

    /**
     * C = alpha op(A) op(B) + beta C for row-major, non-view arrays of one type with leading
     * dimensions lda, ldb, ldc; op transposes when its flag is set.
     */
    void gemm(boolean transA, boolean transB, int m, int n, int k, double alpha,
              INDArray a, int lda, INDArray b, int ldb, double beta, INDArray c, int ldc) {
        int ta = transA ? CblasTrans : CblasNoTrans;
        int tb = transB ? CblasTrans : CblasNoTrans;
        if (c.dataType() == DataType.FLOAT) {
            openblas.cblas_sgemm(CblasRowMajor, ta, tb, m, n, k, (float) alpha,
                    floats[0].at(a), lda, floats[1].at(b), ldb,
                    (float) beta, floats[2].at(c), ldc);
        } else {
            openblas.cblas_dgemm(CblasRowMajor, ta, tb, m, n, k, alpha,
                    doubles[0].at(a), lda, doubles[1].at(b), ldb,
                    beta, doubles[2].at(c), ldc);
        }
    }

    /** The first element of a contiguous, non-view array (the projector checks both). */
    private static long firstElement(INDArray x) {
        return x.data().address();
    }

    private static final class FloatCursor extends FloatPointer {
        FloatCursor at(INDArray x) {
            address = firstElement(x);
            position = 0;
            return this;
        }
    }

    private static final class DoubleCursor extends DoublePointer {
        DoubleCursor at(INDArray x) {
            address = firstElement(x);
            position = 0;
            return this;
        }
    }
}
