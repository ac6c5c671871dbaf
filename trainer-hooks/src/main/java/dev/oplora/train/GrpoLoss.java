package dev.oplora.train;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import dev.oplora.adapters.Scalars;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The GRPO family of objectives on one batch of completions, as TRL's {@code GRPOTrainer}
 * computes them (names and semantics of {@code GRPOConfig}):
 *
 * <ul>
 *   <li>importance weight r = exp(logp - old) per token, or per sequence from the masked mean
 *       log-ratio ({@code importance_sampling_level} sequence, GSPO);</li>
 *   <li>{@code grpo}, {@code bnpo}, {@code dr_grpo}, {@code dapo}: -min(r A, clip(r, 1 - epsilon,
 *       1 + epsilon_high) A), with r first capped at {@code delta} when set (two-sided clipping);</li>
 *   <li>{@code cispo}: -min(r, epsilon_high) A logp, the capped weight detached;</li>
 *   <li>{@code sapo}: -sigmoid(tau (r - 1)) 4 / tau A, tau = sapo_temperature_pos for A > 0 and
 *       sapo_temperature_neg otherwise;</li>
 *   <li>then, when {@code beta} > 0, + beta k3 with k3 = exp(ref - logp) - (ref - logp) - 1;</li>
 *   <li>normalised per {@link LossType}: grpo and sapo average tokens per sequence, then
 *       sequences; bnpo divides the token sum by the mask's tokens; dapo and cispo by every
 *       completion token of the generation batch (TRL's num_items_in_batch: the whole batch is
 *       one step here, and truncated completions count even when they are masked);
 *       dr_grpo divides by sequences x max_completion_length.</li>
 * </ul>
 *
 * Logged as TRL logs them: {@code clip_ratio/low_mean}, {@code low_min}, {@code high_mean},
 * {@code high_max}, {@code region_mean} for the clipping objectives, {@code cispo_clip_ratio}
 * for cispo, and {@code kl} (masked token mean of k3; 0 when beta is 0). Works in the inputs'
 * float type (float32 in training, float64 in the fixture tests).
 */
public record GrpoLoss(LossType type, ImportanceSamplingLevel level, double epsilonLow, double epsilonHigh,
                       Double delta, double beta, double sapoTemperaturePos, double sapoTemperatureNeg,
                       int maxCompletionLength) {

    /** The objective a train config asks for. */
    public static GrpoLoss of(TrainConfig c) {
        return new GrpoLoss(c.lossType(), c.importanceSamplingLevel(), c.epsilon(), c.epsilonHigh(), c.delta(), c.beta(),
                c.sapoTemperaturePos(), c.sapoTemperatureNeg(), c.maxCompletionLength());
    }

    /** The loss (with gradient) and the metrics TRL logs for it. */
    public record Result(NDArray loss, Map<String, Double> metrics) {
    }

    /**
     * @param logp [B, T] log-probs of the completion tokens under the policy (with gradient)
     * @param old  [B, T] log-probs at rollout time
     * @param ref  [B, T] reference log-probs, or null when beta = 0
     * @param advantages [B]
     * @param mask [B, T] 1 on completion tokens that count, 0 on padding (and masked completions)
     * @param entropyMask [B, T] 1 on the tokens the policy term keeps ({@code top_entropy_quantile}), or null for all
     */
    public Result compute(NDArray logp, NDArray old, NDArray ref, NDArray advantages, NDArray mask, NDArray entropyMask) {
        return compute(logp, old, ref, advantages, mask, entropyMask, -1);
    }

    /**
     * As above, with dapo's and cispo's normaliser given: TRL's {@code num_items_in_batch}, the
     * completion tokens of the generation batch counted before {@code mask_truncated_completions}
     * zeroes rows of the mask ({@code itemsInBatch} < 0: the mask's own count).
     */
    public Result compute(NDArray logp, NDArray old, NDArray ref, NDArray advantages, NDArray mask, NDArray entropyMask,
                          double itemsInBatch) {
        NDArray adv = advantages.expandDims(1);
        NDArray coef = importanceWeights(logp.sub(old), mask).exp();
        NDArray perToken = switch (type) {
            case CISPO -> coef.minimum(Scalars.of(coef, epsilonHigh)).stopGradient().mul(adv).mul(logp).neg();
            case SAPO -> sapoGate(coef, adv).mul(adv).neg();
            case GRPO, BNPO, DR_GRPO, DAPO -> {
                NDArray clipped = Scalars.clip(coef, 1 - epsilonLow, 1 + epsilonHigh).mul(adv);
                if (delta != null) {
                    coef = coef.minimum(Scalars.of(coef, delta));
                }
                yield coef.mul(adv).minimum(clipped).neg();
            }
        };
        if (entropyMask != null) {
            perToken = perToken.mul(entropyMask);
        }
        Map<String, Double> metrics = new LinkedHashMap<>();
        double kl = 0;
        if (beta != 0) {
            NDArray diff = ref.sub(logp);
            NDArray k3 = Scalars.add(diff.exp().sub(diff), -1);
            perToken = perToken.add(Scalars.mul(k3, beta));
            kl = batchMean(k3.stopGradient(), mask);
        }
        metrics.put("kl", kl);
        clipMetrics(coef.stopGradient(), adv, mask, metrics);
        return new Result(normalise(perToken.mul(mask), mask, logp.getShape().get(0), itemsInBatch), metrics);
    }

    /** Per-token log-ratios, or one per sequence (the masked mean) kept as a [B, 1] column. */
    private NDArray importanceWeights(NDArray logRatio, NDArray mask) {
        if (level == ImportanceSamplingLevel.TOKEN) {
            return logRatio;
        }
        NDArray tokens = mask.sum(new int[] {1}, true).maximum(Scalars.of(mask, 1));
        return logRatio.mul(mask).sum(new int[] {1}, true).div(tokens);
    }

    private NDArray sapoGate(NDArray coef, NDArray adv) {
        NDArray positive = adv.gt(0).toType(coef.getDataType(), false);
        NDArray tau = Scalars.add(Scalars.mul(positive, sapoTemperaturePos - sapoTemperatureNeg), sapoTemperatureNeg);
        return Activation.sigmoid(Scalars.add(coef, -1).mul(tau)).mul(Scalars.of(coef, 4)).div(tau);
    }

    private NDArray normalise(NDArray masked, NDArray mask, long sequences, double itemsInBatch) {
        NDArray one = Scalars.of(mask, 1);
        return switch (type) {
            case GRPO, SAPO -> masked.sum(new int[] {1}).div(mask.sum(new int[] {1}).maximum(one)).mean();
            case BNPO -> masked.sum().div(mask.sum().maximum(one));
            case DAPO, CISPO -> itemsInBatch < 0 ? masked.sum().div(mask.sum().maximum(one))
                    : Scalars.div(masked.sum(), Math.max(1, itemsInBatch));
            case DR_GRPO -> Scalars.div(masked.sum(), sequences * (double) maxCompletionLength);
        };
    }

    /** TRL's clip statistics, on the weights after any delta cap, as token means. */
    private void clipMetrics(NDArray coef, NDArray adv, NDArray mask, Map<String, Double> metrics) {
        if (type == LossType.CISPO) {
            metrics.put("cispo_clip_ratio", batchMean(flag(coef.gt(epsilonHigh).logicalAnd(positive(adv, coef)), coef), mask));
            return;
        }
        if (!type.clipsRatio()) {
            return;
        }
        NDArray low = coef.lt(1 - epsilonLow).logicalAnd(adv.lt(0).broadcast(coef.getShape()));
        NDArray high = coef.gt(1 + epsilonHigh).logicalAnd(positive(adv, coef));
        double lowMean = batchMean(flag(low, coef), mask);
        double highMean = batchMean(flag(high, coef), mask);
        // One process: the min and max over processes are the process's own values.
        metrics.put("clip_ratio/low_mean", lowMean);
        metrics.put("clip_ratio/low_min", lowMean);
        metrics.put("clip_ratio/high_mean", highMean);
        metrics.put("clip_ratio/high_max", highMean);
        metrics.put("clip_ratio/region_mean", batchMean(flag(low.logicalOr(high), coef), mask));
    }

    private static NDArray positive(NDArray adv, NDArray like) {
        return adv.gt(0).broadcast(like.getShape());
    }

    private static NDArray flag(NDArray bool, NDArray like) {
        return bool.toType(like.getDataType(), false);
    }

    /**
     * TRL's masked_batch_mean (1.10): the mean over completion tokens; a per-sequence [B, 1]
     * value (sequence-level weights) counts once for each of its sequence's tokens.
     */
    private static double batchMean(NDArray x, NDArray mask) {
        double tokens = Math.max(1, mask.sum().toType(ai.djl.ndarray.types.DataType.FLOAT64, false).getDouble());
        return x.mul(mask).sum().toType(ai.djl.ndarray.types.DataType.FLOAT64, false).getDouble() / tokens;
    }

    /**
     * TRL's {@code top_entropy_quantile}: 1 on completion tokens whose entropy is at least the
     * (1 - q) quantile (linear interpolation, as torch.quantile) of the batch's completion-token
     * entropies, 0 elsewhere; null when q = 1 (every token counts).
     */
    public static NDArray entropyMask(NDArray entropies, NDArray mask, double quantile) {
        if (quantile >= 1) {
            return null;
        }
        double[] h = entropies.toType(ai.djl.ndarray.types.DataType.FLOAT64, false).toDoubleArray();
        double[] m = mask.toType(ai.djl.ndarray.types.DataType.FLOAT64, false).toDoubleArray();
        double[] kept = new double[h.length];
        int n = 0;
        for (int i = 0; i < h.length; i++) {
            if (m[i] != 0) {
                kept[n++] = h[i];
            }
        }
        if (n == 0) {
            return mask;
        }
        double threshold = quantile(Arrays.copyOf(kept, n), 1 - quantile);
        return entropies.mul(mask).gte(threshold).toType(mask.getDataType(), false).mul(mask);
    }

    static double quantile(double[] values, double q) {
        Arrays.sort(values);
        double position = q * (values.length - 1);
        int lower = (int) Math.floor(position);
        int upper = Math.min(values.length - 1, lower + 1);
        return values[lower] + (values[upper] - values[lower]) * (position - lower);
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
