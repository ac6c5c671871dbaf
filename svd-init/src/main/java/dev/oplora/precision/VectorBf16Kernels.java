package dev.oplora.precision;

import static jdk.incubator.vector.VectorOperators.ADD;
import static jdk.incubator.vector.VectorOperators.AND_NOT;
import static jdk.incubator.vector.VectorOperators.GT;
import static jdk.incubator.vector.VectorOperators.LSHL;
import static jdk.incubator.vector.VectorOperators.LSHR;
import static jdk.incubator.vector.VectorOperators.XOR;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The bf16 loops on 8-lane (256-bit) vectors. Everything is integer arithmetic on the float bit
 * patterns; tests and counts are formed with sign-bit arithmetic rather than vector masks,
 * because on HotSpot 17 mask-to-scalar operations (trueCount, toLong) cost more than the rest
 * of the loop together.
 */
final class VectorBf16Kernels implements Bf16Kernels {

    static final VectorBf16Kernels INSTANCE = new VectorBf16Kernels();

    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_256;
    private static final VectorSpecies<Integer> INTS = IntVector.SPECIES_256;
    private static final int LANES = 8;
    private static final int EXPONENT = 0x7f800000;

    private VectorBf16Kernels() {
    }

    /** True where the hardware has 256-bit vectors (otherwise the species would be emulated). */
    static boolean supported() {
        return IntVector.SPECIES_PREFERRED.vectorBitSize() >= INTS.vectorBitSize();
    }

    @Override
    public void round(float[] src, float[] dst, int from, int count) {
        int end = from + count;
        int i = from;
        for (int bound = from + FLOATS.loopBound(count); i < bound; i += LANES) {
            IntVector bits = FloatVector.fromArray(FLOATS, src, i).reinterpretAsInts();
            IntVector rounded = roundedPattern(bits);
            IntVector quietNan = bits.or(0x00400000).and(0xffff0000);
            VectorMask<Integer> nan = bits.and(0x7fffffff).compare(GT, EXPONENT);
            rounded.blend(quietNan, nan).reinterpretAsFloats().intoArray(dst, i);
        }
        ScalarBf16Kernels.INSTANCE.round(src, dst, i, end - i);
    }

    /**
     * One flat loop over 8-entry vectors (nested loops with vectors carried across them fall off
     * HotSpot 17's scalar replacement and run 5x slower). Per vector: bf16 patterns, "unchanged"
     * as 0/1 per lane (added to a lane counter), and the same bits shifted by the vector's place
     * in its 64-entry block and or-ed into an accumulator, so lane l ends up holding the 8 bits
     * of entries l, l + 8, ..., l + 56; a bit-matrix transpose of those 8 bytes gives the word.
     */
    @Override
    public Counts compareChecked(float[] w0, float[] w1, float atol, long[] changed) {
        final int atolBits = Float.floatToRawIntBits(atol + 0.0f); // -0 becomes +0
        IntVector bf16Count = IntVector.zero(INTS);
        IntVector atolCount = IntVector.zero(INTS);
        IntVector same = IntVector.zero(INTS);
        int[] lanes = new int[LANES];
        int end = w0.length & ~63;
        for (int i = 0; i < end; i += LANES) {
            FloatVector x0 = FloatVector.fromArray(FLOATS, w0, i);
            FloatVector x1 = FloatVector.fromArray(FLOATS, w1, i);
            IntVector unchanged = unchangedBf16(x0.reinterpretAsInts(), x1.reinterpretAsInts());
            bf16Count = bf16Count.add(unchanged);
            // |w1 - w0| <= atol compared as bit patterns: non-negative floats order like ints,
            // and NaN's pattern is above every finite tolerance.
            IntVector distance = x1.sub(x0).reinterpretAsInts().and(0x7fffffff);
            atolCount = atolCount.add(distance.sub(atolBits + 1).lanewise(LSHR, 31));
            int place = (i >>> 3) & 7;
            same = same.or(unchanged.lanewise(LSHL, place));
            if (place == 7) {
                if (changed != null) {
                    same.intoArray(lanes, 0);
                    changed[i >>> 6] = ~transposeBytes(lanes);
                }
                same = IntVector.zero(INTS);
            }
        }
        Counts tail = ScalarBf16Kernels.compareRange(w0, w1, atol, changed, end);
        return new Counts(bf16Count.reduceLanesToLong(ADD) + tail.unchangedBf16(),
                atolCount.reduceLanesToLong(ADD) + tail.unchangedAtol());
    }

    /** Round to nearest even at bit 16, low half cleared (NaN handled by the callers). */
    private static IntVector roundedPattern(IntVector bits) {
        return bits.add(0x7fff).add(bits.lanewise(LSHR, 16).and(1)).and(0xffff0000);
    }

    /**
     * 1 where both round to the same bf16 (or both to a zero) and neither is NaN, else 0.
     * x - 1 has its sign bit set exactly when x = 0 (for 0 <= x < 2^31); a NaN's pattern
     * exceeds the infinity pattern, so EXPONENT - max |pattern| is negative exactly when one is NaN.
     */
    private static IntVector unchangedBf16(IntVector a, IntVector b) {
        IntVector ra = roundedPattern(a);
        IntVector rb = roundedPattern(b);
        IntVector nan = IntVector.broadcast(INTS, EXPONENT).sub(a.and(0x7fffffff).max(b.and(0x7fffffff)));
        IntVector differ = ra.lanewise(XOR, rb).lanewise(LSHR, 1);
        IntVector notBothZero = ra.or(rb).and(0x7fff0000);
        return differ.min(notBothZero).sub(1).lanewise(AND_NOT, nan).lanewise(LSHR, 31);
    }

    /**
     * Packs lane l's low byte into byte l of a long (so bit j of byte l is entry 8 j + l) and
     * transposes that 8 x 8 bit matrix (three delta swaps), so bit 8 j + l is entry 8 j + l.
     */
    private static long transposeBytes(int[] lanes) {
        long x = 0;
        for (int l = 0; l < LANES; l++) {
            x |= (long) lanes[l] << (8 * l);
        }
        long t = (x ^ (x >>> 7)) & 0x00AA00AA00AA00AAL;
        x = x ^ t ^ (t << 7);
        t = (x ^ (x >>> 14)) & 0x0000CCCC0000CCCCL;
        x = x ^ t ^ (t << 14);
        t = (x ^ (x >>> 28)) & 0x00000000F0F0F0F0L;
        return x ^ t ^ (t << 28);
    }
}
