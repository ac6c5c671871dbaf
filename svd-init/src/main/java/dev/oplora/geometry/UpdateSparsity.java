package dev.oplora.geometry;

import dev.oplora.mask.Mask;
import dev.oplora.precision.Bf16;
import dev.oplora.precision.Bf16Kernels;
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

    /** Counts and update mask from one pass. */
    public record Scan(Result counts, Mask update) {
    }

    /** The PNT rule for one pair of float32 values (see the class comment). */
    public static boolean unchangedBf16(float w0, float w1) {
        return Bf16.sameBf16(w0, w1);
    }

    /** Both rules over two equally long arrays. */
    public static Result measure(float[] w0, float[] w1) {
        return result(w0.length, Bf16Kernels.best().compare(w0, w1, (float) ATOL, null));
    }

    /** The update mask: entries changed under the PNT rule. */
    public static Mask updateMask(long rows, long cols, float[] w0, float[] w1) {
        return scan(rows, cols, w0, w1).update();
    }

    /**
     * Counts and update mask in one pass over both arrays: the diagnose scan. Since eta is below
     * half a bf16 ulp, the PNT rule is bit equality of the bf16 patterns (+0 and -0 equal, NaN
     * never equal), so the pass is integer arithmetic on the float bits ({@link Bf16Kernels}).
     */
    public static Scan scan(long rows, long cols, float[] w0, float[] w1) {
        if (rows * cols != w0.length) {
            throw new IllegalArgumentException(w0.length + " values do not fill a " + rows + "x" + cols + " matrix");
        }
        long[] changed = new long[(w0.length + 63) / 64];
        Bf16Kernels.Counts counts = Bf16Kernels.best().compare(w0, w1, (float) ATOL, changed);
        return new Scan(result(w0.length, counts), Mask.of(rows, cols, BitSet.valueOf(changed)));
    }

    private static Result result(long total, Bf16Kernels.Counts counts) {
        return new Result(total, counts.unchangedBf16(), counts.unchangedAtol());
    }
}
