package dev.oplora.precision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The vector kernels against the scalar ones (which Bf16Test and UpdateSparsityTest tie to the
 * definitions), bit for bit, on arbitrary bit patterns: NaNs with payloads anywhere, infinities,
 * subnormals, signed zeros, exact ties, and lengths that leave partial vectors and blocks.
 */
class Bf16KernelsTest {

    private static final int[] SPECIAL_BITS = {
        0x00000000, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000, 0x7f800001, 0xff800001, 0x7fffffff,
        0x7f7fffff, 0x7f7f7fff, 0x7f7f8000, 0x3f808000, 0x3f818000, 0x3f807fff, 0x00000001, 0x807fffff,
    };

    /** Random patterns, one in four special, and a partner that is often equal or nearly equal. */
    private static float[][] pairs(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] w0 = new float[n];
        float[] w1 = new float[n];
        for (int i = 0; i < n; i++) {
            int bits = random.nextInt(4) == 0 ? SPECIAL_BITS[random.nextInt(SPECIAL_BITS.length)] : random.nextInt();
            w0[i] = Float.intBitsToFloat(bits);
            int kind = random.nextInt(5);
            w1[i] = switch (kind) {
                case 0 -> w0[i];
                case 1 -> Float.intBitsToFloat(bits + random.nextInt(-0x8000, 0x8000));
                case 2 -> w0[i] + (float) random.nextGaussian() * 1e-5f;
                case 3 -> Float.intBitsToFloat(SPECIAL_BITS[random.nextInt(SPECIAL_BITS.length)]);
                default -> Float.intBitsToFloat(random.nextInt());
            };
        }
        return new float[][] {w0, w1};
    }

    private static Bf16Kernels vector() {
        assumeTrue(ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent(),
                "the JVM runs without --add-modules jdk.incubator.vector");
        assumeTrue(VectorBf16Kernels.supported(), "this CPU has no 256-bit vectors");
        return VectorBf16Kernels.INSTANCE;
    }

    @Test
    void theTestJvmUsesTheVectorKernels() {
        assertSame(vector(), Bf16Kernels.best());
    }

    @Test
    void roundingIsBitIdentical() {
        Bf16Kernels vector = vector();
        float[] src = pairs(10_007, 3)[0];
        for (int[] range : new int[][] {{0, 10_007}, {5, 9_990}, {13, 7}, {0, 0}}) {
            float[] expected = src.clone();
            float[] actual = src.clone();
            Bf16Kernels.scalar().round(src, expected, range[0], range[1]);
            vector.round(src, actual, range[0], range[1]);
            assertArrayEquals(bits(expected), bits(actual), "range " + range[0] + " + " + range[1]);
        }
        for (int i = 0; i < src.length; i++) {
            float[] one = {src[i]};
            Bf16Kernels.scalar().round(one, one, 0, 1);
            assertEquals(Bf16.fromFloat(src[i]), (short) (Float.floatToRawIntBits(one[0]) >>> 16), "index " + i);
        }
    }

    @Test
    void comparisonCountsAndMaskAreIdentical() {
        Bf16Kernels vector = vector();
        for (int n : new int[] {0, 1, 63, 64, 65, 1000, 65_536 + 40}) {
            float[][] p = pairs(n, n);
            long[] expectedMask = new long[(n + 63) / 64];
            long[] actualMask = new long[(n + 63) / 64];
            java.util.Arrays.fill(actualMask, -1L);
            Bf16Kernels.Counts expected = Bf16Kernels.scalar().compare(p[0], p[1], 1e-5f, expectedMask);
            Bf16Kernels.Counts actual = vector.compare(p[0], p[1], 1e-5f, actualMask);
            assertEquals(expected, actual, "n = " + n);
            assertArrayEquals(expectedMask, actualMask, "n = " + n);
            assertEquals(expected, vector.compare(p[0], p[1], 1e-5f, null), "n = " + n + " without a mask");
            for (int i = 0; i < n; i++) {
                boolean changed = (expectedMask[i >>> 6] >>> (i & 63) & 1) != 0;
                assertEquals(!Bf16.sameBf16(p[0][i], p[1][i]), changed, "entry " + i);
            }
        }
    }

    @Test
    void badArgumentsAreNamed() {
        float[] a = new float[70];
        Bf16Kernels kernels = Bf16Kernels.best();
        assertThrows(IllegalArgumentException.class, () -> kernels.compare(a, new float[69], 1e-5f, null));
        assertEquals("atol must be finite and >= 0, got -1.0",
                assertThrows(IllegalArgumentException.class, () -> kernels.compare(a, a, -1f, null)).getMessage());
        assertEquals("changed has 1 words, 70 entries need 2",
                assertThrows(IllegalArgumentException.class, () -> kernels.compare(a, a, 0f, new long[1])).getMessage());
    }

    private static int[] bits(float[] values) {
        int[] out = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = Float.floatToRawIntBits(values[i]);
        }
        return out;
    }
}
