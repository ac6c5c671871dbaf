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

    /**
     * The PNT rule for one pair of float32 values. Since eta is below half a bf16 ulp, the rule
     * holds exactly when both round to the same bf16 value (+0 and -0 count as equal, NaN never
     * equals anything), so it is evaluated on the 16-bit patterns: no float arithmetic in the
     * scan, which is what keeps the diagnose pass near memory speed.
     */
    public static boolean unchangedBf16(float w0, float w1) {
        int b0 = Bf16.fromFloat(w0) & 0xffff;
        int b1 = Bf16.fromFloat(w1) & 0xffff;
        boolean nan = (b0 & 0x7fff) > 0x7f80 || (b1 & 0x7fff) > 0x7f80;
        return !nan && (b0 == b1 || ((b0 | b1) & 0x7fff) == 0);
    }

    /** Both rules over two equally long arrays. */
    public static Result measure(float[] w0, float[] w1) {
        requireSameLength(w0, w1);
        // One pass of integer arithmetic: bf16 patterns by round-to-nearest-even inline (the same
        // as Bf16.fromFloat), equal patterns or two zeros count as unchanged, NaN never does.
        // (A fully branch-free variant measured slower: the comparisons predict well.)
        long bf16 = 0;
        long atol = 0;
        final float tolerance = (float) ATOL;
        for (int i = 0; i < w0.length; i++) {
            int a = Float.floatToRawIntBits(w0[i]);
            int b = Float.floatToRawIntBits(w1[i]);
            int ra = (a + 0x7fff + ((a >>> 16) & 1)) >>> 16 & 0xffff;
            int rb = (b + 0x7fff + ((b >>> 16) & 1)) >>> 16 & 0xffff;
            boolean nan = (a & 0x7fffffff) > 0x7f800000 | (b & 0x7fffffff) > 0x7f800000;
            bf16 += !nan & (ra == rb | ((ra | rb) & 0x7fff) == 0) ? 1 : 0;
            atol += Math.abs(w1[i] - w0[i]) <= tolerance ? 1 : 0;
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
