package dev.oplora.adapters;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.oplora.init.AdapterInit;
import dev.oplora.init.InitOptions;
import dev.oplora.init.LowRankInit;
import dev.oplora.mask.Mask;
import dev.oplora.mask.MaskKind;
import dev.oplora.mask.MaskOptions;
import dev.oplora.svd.RowMajor;
import dev.oplora.svd.Subspace;
import dev.oplora.svd.Svd;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The one crossing between DJL (training) and ND4J (linear algebra). Adapter setup reads a
 * layer's weight into ND4J once, runs the init or mask there, and hands back DJL arrays; the
 * adapter classes themselves only see DJL. Copies are float32 and happen at setup and export
 * time, never per training step.
 */
public final class EngineBridge {

    private EngineBridge() {
    }

    /**
     * The start of a LoRA-family adapter on {@code layer}: the init computed on its weight and,
     * when {@code projected}, the protected subspaces U_k and V_k from the same decomposition
     * (see {@link AdapterInit#applyWithPrincipal}), as DJL arrays on the layer's device.
     */
    public static LoraAdapter.Start lowRank(LinearLayer layer, AdapterInit init, InitOptions options, boolean projected) {
        NDManager manager = layer.weight().getManager();
        INDArray w = toNd4j(layer.weight());
        LowRankInit start = projected ? init.applyWithPrincipal(w, options) : init.apply(w, options);
        LoraAdapter.Projection projection = null;
        if (projected) {
            Svd top = start.principal();
            int k = (int) top.s().length();
            projection = new LoraAdapter.Projection(toDjl(Subspace.left(top, k).basis(), manager),
                    toDjl(Subspace.right(top, k).basis(), manager));
        }
        return new LoraAdapter.Start(toDjl(start.a(), manager), toDjl(start.b(), manager),
                start.residual() == null ? null : toDjl(start.residual(), manager), start.scaling(), projection);
    }

    /** The mask of {@code kind} on the layer's weight. */
    public static Mask mask(LinearLayer layer, MaskKind kind, MaskOptions options) {
        return kind.build(toNd4j(layer.weight()), options);
    }

    /** A 0/1 float32 array of a mask, on {@code manager}'s device. */
    public static NDArray maskArray(Mask mask, NDManager manager) {
        return toDjl(mask.toArray(org.nd4j.linalg.api.buffer.DataType.FLOAT), manager);
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
