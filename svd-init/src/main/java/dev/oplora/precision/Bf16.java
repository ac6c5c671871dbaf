package dev.oplora.precision;

/**
 * bfloat16 in plain Java: the top 16 bits of an IEEE float32, rounded to nearest with ties to
 * even. DJL's PyTorch engine aborts the JVM on BFLOAT16 arrays, so storage, rounding and file I/O
 * of bf16 values happen here and compute stays float32.
 *
 * <p>NaN stays NaN (quieted, sign and top payload bits kept), infinities stay infinite, and
 * finite values beyond the largest bf16 round to infinity as IEEE rounding prescribes.
 */
public final class Bf16 {

    private Bf16() {
    }

    /** The bf16 bit pattern nearest to {@code value} (ties to even). */
    public static short fromFloat(float value) {
        int bits = Float.floatToRawIntBits(value);
        if ((bits & 0x7fffffff) > 0x7f800000) {
            return (short) ((bits >>> 16) | 0x0040);
        }
        int lsb = (bits >>> 16) & 1;
        return (short) ((bits + 0x7fff + lsb) >>> 16);
    }

    /** The float32 value of a bf16 bit pattern (exact). */
    public static float toFloat(short bf16) {
        return Float.intBitsToFloat((bf16 & 0xffff) << 16);
    }

    /**
     * True when both values round to the same bf16 (two zeros of either sign count as the same);
     * never for NaN. This is the PNT "unchanged" rule, since its tolerance is below half an ulp.
     */
    public static boolean sameBf16(float a, float b) {
        int b0 = fromFloat(a) & 0xffff;
        int b1 = fromFloat(b) & 0xffff;
        boolean nan = (b0 & 0x7fff) > 0x7f80 || (b1 & 0x7fff) > 0x7f80;
        return !nan && (b0 == b1 || ((b0 | b1) & 0x7fff) == 0);
    }

    /** {@code value} rounded to the nearest bf16, as a float32. */
    public static float round(float value) {
        return toFloat(fromFloat(value));
    }

    /** Rounds {@code src[from, from + count)} to bf16 into {@code dst} (which may be src). */
    public static void round(float[] src, float[] dst, int from, int count) {
        Bf16Kernels.best().round(src, dst, from, count);
    }

    /** Rounds every element in place. */
    public static void roundInPlace(float[] values) {
        round(values, values, 0, values.length);
    }

    /** Encodes float32 values as bf16 bit patterns. */
    public static short[] encode(float[] values) {
        short[] out = new short[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = fromFloat(values[i]);
        }
        return out;
    }

    /** Decodes bf16 bit patterns to float32. */
    public static float[] decode(short[] bits) {
        float[] out = new float[bits.length];
        for (int i = 0; i < bits.length; i++) {
            out[i] = toFloat(bits[i]);
        }
        return out;
    }
}
