package dev.oplora.adapters;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import java.util.List;

/**
 * The trainable part attached to a frozen {@link LinearLayer}: a closed set of kinds.
 * Each computes the layer's output from the input and the frozen base, and can express what it
 * adds as a dense delta weight (for merging, export and diagnostics).
 */
public sealed interface Adapter extends AutoCloseable permits LoraAdapter, SparseAdapter, FullAdapter {

    /** "lora", "sparse" or "full". */
    String kind();

    /** The trainable parameters, named as they appear in the layer ("lora_A", "lora_B", "delta"). */
    List<Parameter> parameters();

    /** y = x W_eff^T + b for input x [..., in]. */
    NDArray forward(NDArray x, NDArray baseWeight, NDArray bias, boolean training);

    /**
     * What the adapter adds to the base weight {@code baseWeight} (the frozen, unmerged W, out x
     * in): B A s for LoRA, M * D for sparse, D for full; for DoRA, which rescales rows of
     * W + s B A, it depends on W.
     */
    NDArray deltaWeight(NDArray baseWeight);

    /** Entries that actually train (for sparse: the mask count, not the dense buffer size). */
    long trainableParameterCount();

    @Override
    default void close() {
        for (Parameter p : parameters()) {
            p.close();
        }
    }
}
