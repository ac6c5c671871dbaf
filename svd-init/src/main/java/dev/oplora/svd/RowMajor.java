package dev.oplora.svd;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Arrays as row-major Java arrays: for loops that scan every entry and for handing data to DJL. */
public final class RowMajor {

    private RowMajor() {
    }

    /**
     * The entries of {@code x} (any rank) as float32 in row-major order: one copy out of the off-heap buffer,
     * plus a cast or a reordering copy only when x is not already contiguous c-order float32.
     */
    public static float[] floats(INDArray x) {
        INDArray f = x.dataType() == DataType.FLOAT ? x : x.castTo(DataType.FLOAT);
        if (f.isView() || f.ordering() != 'c') {
            f = f.dup('c');
        }
        return f.data().asFloat();
    }
}
