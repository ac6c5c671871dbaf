package dev.oplora.precision;

/**
 * The array loops behind bf16 storage and the bf16 sparsity scan. Two implementations give
 * bit-identical answers: a vectorized one on the JDK's Vector API (used when the JVM runs with
 * {@code --add-modules jdk.incubator.vector}, as the launcher, the tests and the benchmarks do,
 * on hardware with 256-bit vectors) and a scalar one for every other JVM.
 *
 * <p>The scalar loops are not auto-vectorized by HotSpot 17 (float-to-int bit moves and
 * conditional counts stop it) and run at a fraction of memory bandwidth; the vector ones run near
 * it. System property {@code oplora.vector=false} forces the scalar loops.
 */
public sealed interface Bf16Kernels permits ScalarBf16Kernels, VectorBf16Kernels {

    /** Unchanged-entry counts of one comparison. */
    record Counts(long unchangedBf16, long unchangedAtol) {
    }

    /** Rounds {@code src[from, from + count)} to bf16 into {@code dst} (which may be src). */
    void round(float[] src, float[] dst, int from, int count);

    /**
     * Compares two equally long arrays: counts entries whose bf16 patterns are equal (two zeros
     * of either sign count as equal, NaN never does) and entries with |w1 - w0| <= atol; when
     * {@code changed} is not null, sets bit i (word i / 64, bit i % 64) for every entry the bf16
     * rule calls changed and clears the others. changed needs (n + 63) / 64 words.
     */
    default Counts compare(float[] w0, float[] w1, float atol, long[] changed) {
        if (w0.length != w1.length) {
            throw new IllegalArgumentException("base has " + w0.length + " values but tuned has " + w1.length);
        }
        if (!(atol >= 0) || Float.isInfinite(atol)) {
            throw new IllegalArgumentException("atol must be finite and >= 0, got " + atol);
        }
        if (changed != null && changed.length < (w0.length + 63L) / 64) {
            throw new IllegalArgumentException("changed has " + changed.length + " words, " + w0.length
                    + " entries need " + (w0.length + 63L) / 64);
        }
        return compareChecked(w0, w1, atol, changed);
    }

    /** {@link #compare} on arguments it has checked. */
    Counts compareChecked(float[] w0, float[] w1, float atol, long[] changed);

    /** The kernels this JVM runs fastest. */
    static Bf16Kernels best() {
        return Selected.KERNELS;
    }

    /** The scalar kernels, whatever the JVM. */
    static Bf16Kernels scalar() {
        return ScalarBf16Kernels.INSTANCE;
    }

    /** Picked once; the vector class is loaded only when its module is present. */
    final class Selected {
        static final Bf16Kernels KERNELS = pick();

        private Selected() {
        }

        private static Bf16Kernels pick() {
            boolean wanted = !"false".equalsIgnoreCase(System.getProperty("oplora.vector"));
            boolean present = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
            if (wanted && present && VectorBf16Kernels.supported()) {
                return VectorBf16Kernels.INSTANCE;
            }
            return ScalarBf16Kernels.INSTANCE;
        }
    }
}
