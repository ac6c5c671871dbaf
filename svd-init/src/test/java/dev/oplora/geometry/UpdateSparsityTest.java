package dev.oplora.geometry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.oplora.precision.Bf16;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The fast scan agrees with the PNT rule as the paper states it, special values included. */
class UpdateSparsityTest {

    /**
     * |b1 - b0| <= 1e-3 max(|b0|, |b1|) on bf16-rounded values, literally; the formula is undefined
     * for infinities (inf - inf is NaN), where an unchanged infinite weight counts as unchanged.
     */
    static boolean paperRule(float w0, float w1) {
        float b0 = Bf16.round(w0);
        float b1 = Bf16.round(w1);
        if (Float.isInfinite(b0) || Float.isInfinite(b1)) {
            return b0 == b1;
        }
        return Math.abs(b1 - b0) <= 1e-3 * Math.max(Math.abs(b0), Math.abs(b1));
    }

    @Test
    void scanMatchesTheLiteralRule() {
        SplittableRandom random = new SplittableRandom(9);
        float[] specials = {0f, -0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MAX_VALUE, 1e-40f, -1e-40f};
        int n = 200_000;
        float[] w0 = new float[n];
        float[] w1 = new float[n];
        long expectedBf16 = 0;
        long expectedAtol = 0;
        for (int i = 0; i < n; i++) {
            w0[i] = i % 50 == 0 ? specials[random.nextInt(specials.length)] : (float) random.nextGaussian();
            double kind = random.nextDouble();
            w1[i] = kind < 0.3 ? w0[i] : kind < 0.5 ? w0[i] * (1 + 1e-4f) : kind < 0.7 ? w0[i] + 2e-6f
                    : i % 37 == 0 ? specials[random.nextInt(specials.length)] : w0[i] * 1.01f;
            expectedBf16 += paperRule(w0[i], w1[i]) ? 1 : 0;
            expectedAtol += Math.abs(w1[i] - w0[i]) <= 1e-5 ? 1 : 0;
            assertEquals(paperRule(w0[i], w1[i]), UpdateSparsity.unchangedBf16(w0[i], w1[i]), w0[i] + " -> " + w1[i]);
        }
        UpdateSparsity.Result result = UpdateSparsity.measure(w0, w1);
        assertEquals(expectedBf16, result.unchangedBf16());
        assertEquals(expectedAtol, result.unchangedAtol());
        assertTrue(UpdateSparsity.unchangedBf16(0f, -0f));
        assertFalse(UpdateSparsity.unchangedBf16(Float.NaN, Float.NaN));
    }

    @Test
    void oneScanGivesCountsAndTheMask() {
        SplittableRandom random = new SplittableRandom(4);
        int rows = 37;
        int cols = 91; // 3367 entries: 52 whole blocks of 64 and a partial one
        float[] w0 = new float[rows * cols];
        float[] w1 = new float[rows * cols];
        for (int i = 0; i < w0.length; i++) {
            w0[i] = (float) random.nextGaussian();
            w1[i] = random.nextBoolean() ? w0[i] : w0[i] * 1.01f;
        }
        UpdateSparsity.Scan scan = UpdateSparsity.scan(rows, cols, w0, w1);
        assertEquals(UpdateSparsity.measure(w0, w1), scan.counts());
        assertEquals(w0.length - scan.counts().unchangedBf16(), scan.update().count());
        for (int i = 0; i < w0.length; i++) {
            assertEquals(!paperRule(w0[i], w1[i]), scan.update().get(i), "entry " + i);
        }
        assertEquals("3367 values do not fill a 37x90 matrix",
                org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                        () -> UpdateSparsity.scan(rows, 90, w0, w1)).getMessage());
    }
}
