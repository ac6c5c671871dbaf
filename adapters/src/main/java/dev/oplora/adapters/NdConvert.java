package dev.oplora.adapters;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.oplora.svd.RowMajor;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Copies between DJL (training) and ND4J (linear algebra) arrays, always in float32. Used only
 * at setup time (adapter init, export), never per training step.
 */
public final class NdConvert {

    private NdConvert() {
    }

    /** A float32 ND4J copy of a DJL array. */
    public static INDArray toNd4j(NDArray x) {
        float[] values = x.toType(DataType.FLOAT32, false).toFloatArray();
        return Nd4j.create(values, x.getShape().getShape(), org.nd4j.linalg.api.buffer.DataType.FLOAT);
    }

    /** A float32 DJL copy of an ND4J array, owned by {@code manager} (and by PyTorch, see {@link #owned}). */
    public static NDArray toDjl(INDArray x, NDManager manager) {
        return owned(manager.create(RowMajor.floats(x), new Shape(x.shape())));
    }

    /**
     * A copy whose memory PyTorch owns; the argument is closed. DJL's PyTorch engine wraps an
     * array created from Java data around a direct buffer without copying, and that memory has
     * been seen to go stale under long-lived parameters that require gradients (training then
     * produces non-deterministic, eventually non-finite gradients). Every array that outlives
     * one step (parameters, optimizer moments, model constants) goes through here.
     */
    public static NDArray owned(NDArray fromJava) {
        NDArray copy = fromJava.duplicate();
        fromJava.close();
        return copy;
    }
}
