package dev.oplora.init;

import java.util.Optional;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The starting point of a LoRA-family adapter on one weight W (out x in): the adapter computes
 * base + scaling * B A.
 *
 * @param a A0, r x in
 * @param b B0, out x r
 * @param residual the new base weight when the init moves part of W into the adapter (pissa,
 *     milora): W - scaling * B0 A0; null when the base stays W
 * @param scaling s = alpha / r (or alpha / sqrt(r))
 */
public record LowRankInit(INDArray a, INDArray b, INDArray residual, double scaling) {

    /** The residual base, if this init replaces W. */
    public Optional<INDArray> residualBase() {
        return Optional.ofNullable(residual);
    }

    /** Rank r. */
    public int rank() {
        return (int) a.rows();
    }
}
