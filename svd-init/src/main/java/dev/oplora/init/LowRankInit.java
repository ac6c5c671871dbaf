package dev.oplora.init;

import dev.oplora.svd.Svd;
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
 * @param principal the top-k singular triplets of W when they were computed on the way (op-lora
 *     needs V_k; a projected adapter needs U_k and V_k), so that W is decomposed once; else null
 */
public record LowRankInit(INDArray a, INDArray b, INDArray residual, double scaling, Svd principal) {

    /** An init that computed no principal triplets. */
    public LowRankInit(INDArray a, INDArray b, INDArray residual, double scaling) {
        this(a, b, residual, scaling, null);
    }

    /** This init with the principal triplets it is kept away from. */
    public LowRankInit withPrincipal(Svd top) {
        return new LowRankInit(a, b, residual, scaling, top);
    }

    /** The residual base, if this init replaces W. */
    public Optional<INDArray> residualBase() {
        return Optional.ofNullable(residual);
    }

    /** Rank r. */
    public int rank() {
        return (int) a.rows();
    }
}
