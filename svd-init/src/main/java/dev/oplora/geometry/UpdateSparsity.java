package dev.oplora.geometry;

import dev.oplora.mask.Mask;
import dev.oplora.precision.Bf16;
import java.util.BitSet;

/**
 * Which entries a fine-tuning run left unchanged.
 *
 * <ul>
 *   <li>PNT rule: both values rounded to bf16, unchanged iff |b1 - b0| <= 1e-3 max(|b0|, |b1|).
 *       Since 1e-3 is below half a bf16 ulp (2^-9), this is bit equality of the bf16 values; the
 *       tolerance form is kept because it is how the paper states it.</li>
 *   <li>Absolute rule (Mukherjee et al.): unchanged iff |w1 - w0| <= 1e-5 on the values as stored
 *       (float32 stays float32), for comparison with that line of work.</li>
 * </ul>
 */
public final class UpdateSparsity {

    /** The PNT relative tolerance eta. */
    public static final double ETA = 1e-3;
    /** The absolute tolerance of the comparison rule. */
    public static final double ATOL = 1e-5;

    /** Counts over one matrix. */
    public record Result(long total, long unchangedBf16, long unchangedAtol) {
        /** Fraction unchanged under the PNT bf16 rule. */
        public double bf16Sparsity() {
            return unchangedBf16 / (double) total;
        }

        /** Fraction unchanged under the absolute rule. */
        public double atolSparsity() {
            return unchangedAtol / (double) total;
        }

        /** 1 - bf16 sparsity: the density of the update mask. */
        public double updateDensity() {
            return 1 - bf16Sparsity();
        }
    }

    private UpdateSparsity() {
    }

    /** The PNT rule for one pair of float32 values. */
    public static boolean unchangedBf16(float w0, float w1) {
        float b0 = Bf16.round(w0);
        float b1 = Bf16.round(w1);
        return Math.abs(b1 - b0) <= ETA * Math.max(Math.abs(b0), Math.abs(b1));
    }

    /** Both rules over two equally long arrays. */
    public static Result measure(float[] w0, float[] w1) {
        requireSameLength(w0, w1);
        long bf16 = 0;
        long atol = 0;
        for (int i = 0; i < w0.length; i++) {
            if (unchangedBf16(w0[i], w1[i])) {
                bf16++;
            }
            if (Math.abs(w1[i] - w0[i]) <= ATOL) {
                atol++;
            }
        }
        return new Result(w0.length, bf16, atol);
    }

    /** The update mask: entries changed under the PNT rule. */
    public static Mask updateMask(long rows, long cols, float[] w0, float[] w1) {
        requireSameLength(w0, w1);
        if (rows * cols != w0.length) {
            throw new IllegalArgumentException(w0.length + " values do not fill a " + rows + "x" + cols + " matrix");
        }
        BitSet changed = new BitSet(w0.length);
        for (int i = 0; i < w0.length; i++) {
            if (!unchangedBf16(w0[i], w1[i])) {
                changed.set(i);
            }
        }
        return Mask.of(rows, cols, changed);
    }

    private static void requireSameLength(float[] w0, float[] w1) {
        if (w0.length != w1.length) {
            throw new IllegalArgumentException("base has " + w0.length + " values but tuned has " + w1.length);
        }
    }
}
