package dev.oplora.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.oplora.adapters.Engines;
import org.junit.jupiter.api.Test;

/** The GRPO loss on a fixed tiny batch against values computed by hand (in doubles, below). */
class GrpoLossTest {

    // Two completions of lengths 3 and 2 (padded to 3).
    static final double[][] LOGP = {{-0.5, -1.0, -0.2}, {-0.3, -2.0, 0}};
    static final double[][] OLD = {{-0.6, -0.7, -0.2}, {-0.1, -2.1, 0}};
    static final double[][] REF = {{-0.4, -1.2, -0.3}, {-0.3, -1.9, 0}};
    static final double[][] MASK = {{1, 1, 1}, {1, 1, 0}};
    static final double[] ADV = {1.5, -0.8};
    static final double EPS_LOW = 0.2;
    static final double EPS_HIGH = 0.28;
    static final double BETA = 0.04;

    /** Per-token loss by the textbook formula. */
    static double perToken(int b, int t) {
        double ratio = Math.exp(LOGP[b][t] - OLD[b][t]);
        double clipped = Math.max(1 - EPS_LOW, Math.min(1 + EPS_HIGH, ratio));
        double policy = -Math.min(ratio * ADV[b], clipped * ADV[b]);
        double d = REF[b][t] - LOGP[b][t];
        return policy + BETA * (Math.exp(d) - d - 1);
    }

    static double expected(LossType type) {
        double total = 0;
        double tokens = 0;
        double perSequence = 0;
        for (int b = 0; b < 2; b++) {
            double sum = 0;
            double count = 0;
            for (int t = 0; t < 3; t++) {
                sum += MASK[b][t] * perToken(b, t);
                count += MASK[b][t];
            }
            total += sum;
            tokens += count;
            perSequence += sum / count / 2;
        }
        return switch (type) {
            case GRPO -> perSequence;
            case DR_GRPO -> total / (2 * 4); // 2 sequences x max_completion_length 4
            case DAPO, BNPO -> total / tokens;
            default -> throw new IllegalArgumentException(type + " is checked against the TRL fixtures");
        };
    }

    static GrpoLoss objective(LossType type, double epsLow, double epsHigh, double beta) {
        return new GrpoLoss(type, ImportanceSamplingLevel.TOKEN, epsLow, epsHigh, null, beta, 1.0, 1.05, 4);
    }

    NDArray array(NDManager m, double[][] x) {
        float[] flat = new float[6];
        for (int b = 0; b < 2; b++) {
            for (int t = 0; t < 3; t++) {
                flat[b * 3 + t] = (float) x[b][t];
            }
        }
        return m.create(flat, new Shape(2, 3));
    }

    @Test
    void eachLossTypeMatchesTheHandComputedValue() {
        try (NDManager m = Engines.newManager()) {
            for (LossType type : new LossType[] {LossType.GRPO, LossType.BNPO, LossType.DR_GRPO, LossType.DAPO}) {
                GrpoLoss.Result r = objective(type, EPS_LOW, EPS_HIGH, BETA).compute(array(m, LOGP), array(m, OLD),
                        array(m, REF), m.create(new float[] {1.5f, -0.8f}), array(m, MASK), null);
                assertEquals(expected(type), r.loss().getFloat(), 1e-5, type.configName());
            }
            GrpoLoss.Result r = objective(LossType.DAPO, EPS_LOW, EPS_HIGH, BETA).compute(array(m, LOGP), array(m, OLD),
                    array(m, REF), m.create(new float[] {1.5f, -0.8f}), array(m, MASK), null);
            // Ratios: exp(0.1)=1.105, exp(-0.3)=0.741 (< 0.8 but A > 0: not low-clipped), 1; exp(-0.2)=0.819, exp(0.1).
            assertEquals(0.0, r.metrics().get("clip_ratio/low_mean"), 1e-9);
            assertEquals(0.0, r.metrics().get("clip_ratio/high_mean"), 1e-9);
            double kl = 0;
            for (int b = 0; b < 2; b++) {
                for (int t = 0; t < 3; t++) {
                    double d = REF[b][t] - LOGP[b][t];
                    kl += MASK[b][t] * (Math.exp(d) - d - 1) / 5;
                }
            }
            assertEquals(kl, r.metrics().get("kl"), 1e-6);
            // Clip metrics count tokens outside the trust region in the direction of the advantage.
            GrpoLoss.Result clipped = objective(LossType.DAPO, 0.2, 0.2, 0).compute(
                    array(m, new double[][] {{0, 0, 0}, {-1, -1, 0}}), array(m, new double[][] {{-1, 0, 0}, {0, 0, 0}}),
                    null, m.create(new float[] {1f, -1f}), array(m, MASK), null);
            assertEquals(1 / 5.0, clipped.metrics().get("clip_ratio/high_mean"), 1e-6);
            assertEquals(2 / 5.0, clipped.metrics().get("clip_ratio/low_mean"), 1e-6);
            assertEquals(3 / 5.0, clipped.metrics().get("clip_ratio/region_mean"), 1e-6);
        }
    }

    /** top_entropy_quantile q keeps completion tokens at or above the (1 - q) quantile of their entropies (torch.quantile). */
    @Test
    void entropyMaskKeepsTheTopQuantile() {
        try (NDManager m = Engines.newManager()) {
            NDArray entropies = array(m, new double[][] {{1, 2, 9}, {3, 4, 0}});
            NDArray mask = array(m, new double[][] {{1, 1, 0}, {1, 1, 1}});
            // Completion-token entropies {1, 2, 3, 4, 0}: the 0.5 quantile is 2, the 0.8 quantile 3.2.
            assertArrayEquals(new float[] {0, 1, 0, 1, 1, 0}, GrpoLoss.entropyMask(entropies, mask, 0.5).toFloatArray());
            assertArrayEquals(new float[] {0, 0, 0, 0, 1, 0}, GrpoLoss.entropyMask(entropies, mask, 0.2).toFloatArray());
            assertEquals(null, GrpoLoss.entropyMask(entropies, mask, 1.0), "q = 1 keeps every token");
        }
        assertEquals(3.2, GrpoLoss.quantile(new double[] {4, 0, 3, 1, 2}, 0.8), 1e-12);
    }

    /** dapo divides by every completion token of the batch (TRL's num_items_in_batch), bnpo by the mask's. */
    @Test
    void dapoCountsTruncatedCompletionsInItsNormaliser() {
        try (NDManager m = Engines.newManager()) {
            NDArray adv = m.create(new float[] {1.5f, -0.8f});
            double masked = objective(LossType.DAPO, EPS_LOW, EPS_HIGH, 0).compute(array(m, LOGP), array(m, OLD), null, adv,
                    array(m, MASK), null).loss().getFloat();
            double ten = objective(LossType.DAPO, EPS_LOW, EPS_HIGH, 0).compute(array(m, LOGP), array(m, OLD), null, adv,
                    array(m, MASK), null, 10).loss().getFloat();
            double bnpo = objective(LossType.BNPO, EPS_LOW, EPS_HIGH, 0).compute(array(m, LOGP), array(m, OLD), null, adv,
                    array(m, MASK), null, 10).loss().getFloat();
            assertEquals(masked * 5 / 10, ten, 1e-6, "5 counted tokens of 10 in the batch");
            assertEquals(masked, bnpo, 1e-6, "bnpo ignores the batch count");
        }
    }

    @Test
    void advantagesFollowTrl() {
        double[] rewards = {1, 0, 0, 1, 1, 1, 1, 1};
        double groupStd = Math.sqrt(1 / 3.0); // unbiased std of {1, 0, 0, 1}
        double[] group = GrpoLoss.advantages(rewards, 4, RewardScaling.GROUP);
        assertArrayEquals(new double[] {0.5 / (groupStd + 1e-4), -0.5 / (groupStd + 1e-4), -0.5 / (groupStd + 1e-4),
                0.5 / (groupStd + 1e-4), 0, 0, 0, 0}, group, 1e-12);
        assertArrayEquals(new double[] {0.5, -0.5, -0.5, 0.5, 0, 0, 0, 0}, GrpoLoss.advantages(rewards, 4, RewardScaling.NONE), 1e-12);
        double batchStd = GrpoLoss.std(rewards, 0, 8);
        assertEquals(0.5 / (batchStd + 1e-4), GrpoLoss.advantages(rewards, 4, RewardScaling.BATCH)[0], 1e-12);
    }
}
