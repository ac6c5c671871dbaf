package dev.oplora.train;

import ai.djl.ndarray.NDArray;
import dev.oplora.adapters.Scalars;

/**
 * The GRPO objective on one batch of completions, with TRL's three normalisations:
 * <ul>
 *   <li>{@code grpo}: per-sequence token mean, then mean over sequences;</li>
 *   <li>{@code dr_grpo}: token sum / (sequences x max_completion_length) (Dr. GRPO, no length bias);</li>
 *   <li>{@code dapo}: token sum / number of completion tokens in the batch.</li>
 * </ul>
 * Per token: ratio r = exp(logp - old), loss = -min(r A, clip(r, 1 - eps_low, 1 + eps_high) A)
 * + beta * KL, KL by the k3 estimator exp(ref - logp) - (ref - logp) - 1.
 */
public final class GrpoLoss {

    /** The loss and what TRL logs about it. */
    public record Result(NDArray loss, double clipLow, double clipHigh, double kl) {
    }

    private GrpoLoss() {
    }

    /**
     * @param logp [B, T] log-probs of the completion tokens under the policy (with gradient)
     * @param old  [B, T] log-probs at rollout time
     * @param ref  [B, T] reference log-probs, or null when beta = 0
     * @param advantages [B]
     * @param mask [B, T] 1 on completion tokens, 0 on padding
     */
    public static Result compute(NDArray logp, NDArray old, NDArray ref, NDArray advantages, NDArray mask,
                                 LossType type, double epsLow, double epsHigh, double beta, int maxCompletionLength) {
        NDArray adv = advantages.expandDims(1);
        NDArray ratio = logp.sub(old).exp();
        NDArray unclipped = ratio.mul(adv);
        NDArray clipped = Scalars.clip(ratio, 1 - epsLow, 1 + epsHigh).mul(adv);
        NDArray perToken = unclipped.minimum(clipped).neg();
        double kl = 0;
        if (beta > 0) {
            NDArray diff = ref.sub(logp);
            NDArray k3 = Scalars.add(diff.exp().sub(diff), -1);
            perToken = perToken.add(Scalars.mul(k3, beta));
            kl = masked(k3, mask);
        }
        NDArray tokens = mask.sum();
        NDArray loss = switch (type) {
            case GRPO -> perToken.mul(mask).sum(new int[] {1}).div(mask.sum(new int[] {1}).maximum(1f)).mean();
            case DR_GRPO -> Scalars.div(perToken.mul(mask).sum(), logp.getShape().get(0) * (double) maxCompletionLength);
            case DAPO -> perToken.mul(mask).sum().div(tokens.maximum(1f));
        };
        NDArray low = ratio.lt(1 - epsLow).logicalAnd(adv.lt(0).broadcast(ratio.getShape()));
        NDArray high = ratio.gt(1 + epsHigh).logicalAnd(adv.gt(0).broadcast(ratio.getShape()));
        return new Result(loss, masked(low.toType(mask.getDataType(), false), mask),
                masked(high.toType(mask.getDataType(), false), mask), kl);
    }

    private static double masked(NDArray x, NDArray mask) {
        double count = mask.sum().getFloat();
        return count == 0 ? 0 : x.mul(mask).sum().getFloat() / count;
    }

    /**
     * Advantages (r - mean) / (std + 1e-4) per group of {@code g} consecutive completions;
     * {@code scale} GROUP uses the group std, BATCH the batch std, NONE no scaling.
     * Standard deviations are unbiased, as torch.std.
     */
    public static double[] advantages(double[] rewards, int g, RewardScaling scale) {
        double[] out = new double[rewards.length];
        double batchStd = std(rewards, 0, rewards.length);
        for (int start = 0; start < rewards.length; start += g) {
            double mean = 0;
            for (int i = start; i < start + g; i++) {
                mean += rewards[i] / g;
            }
            double std = switch (scale) {
                case GROUP -> std(rewards, start, start + g);
                case BATCH -> batchStd;
                case NONE -> -1;
            };
            for (int i = start; i < start + g; i++) {
                out[i] = std < 0 ? rewards[i] - mean : (rewards[i] - mean) / (std + 1e-4);
            }
        }
        return out;
    }

    static double std(double[] x, int from, int to) {
        int n = to - from;
        if (n < 2) {
            return 0;
        }
        double mean = 0;
        for (int i = from; i < to; i++) {
            mean += x[i] / n;
        }
        double sum = 0;
        for (int i = from; i < to; i++) {
            sum += (x[i] - mean) * (x[i] - mean);
        }
        return Math.sqrt(sum / (n - 1));
    }
}
