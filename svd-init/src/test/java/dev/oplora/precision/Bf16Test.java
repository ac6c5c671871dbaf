package dev.oplora.precision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class Bf16Test {

    @Test
    void exactValuesRoundTrip() {
        for (float v : new float[] {0f, -0f, 1f, -2f, 0.5f, 65536f, Float.MIN_NORMAL, 3.0f}) {
            assertEquals(Float.floatToIntBits(v), Float.floatToIntBits(Bf16.round(v)), "value " + v);
        }
        assertEquals((short) 0x3f80, Bf16.fromFloat(1f));
        assertEquals((short) 0xc000, Bf16.fromFloat(-2f));
    }

    @Test
    void roundsToNearestWithTiesToEven() {
        // 1 + 2^-8 is exactly half way between bf16 1.0 (0x3f80) and 1.0078125 (0x3f81): even wins.
        assertEquals((short) 0x3f80, Bf16.fromFloat(Float.intBitsToFloat(0x3f808000)));
        // 0x3f818000 is half way between 0x3f81 (odd) and 0x3f82: rounds up to even.
        assertEquals((short) 0x3f82, Bf16.fromFloat(Float.intBitsToFloat(0x3f818000)));
        // Just above and below the half way point.
        assertEquals((short) 0x3f81, Bf16.fromFloat(Float.intBitsToFloat(0x3f808001)));
        assertEquals((short) 0x3f80, Bf16.fromFloat(Float.intBitsToFloat(0x3f807fff)));
        // Carry into the exponent: the largest mantissa rounds up to the next power of two.
        assertEquals((short) 0x4000, Bf16.fromFloat(Float.intBitsToFloat(0x3fffc000)));
    }

    @Test
    void specialValuesArePreserved() {
        assertEquals(Float.POSITIVE_INFINITY, Bf16.round(Float.POSITIVE_INFINITY));
        assertEquals(Float.NEGATIVE_INFINITY, Bf16.round(Float.NEGATIVE_INFINITY));
        assertTrue(Float.isNaN(Bf16.round(Float.NaN)));
        // A NaN whose payload lives only in the low 16 bits must not become infinity.
        float lowPayloadNaN = Float.intBitsToFloat(0x7f800001);
        assertTrue(Float.isNaN(Bf16.round(lowPayloadNaN)));
        assertTrue(Float.isNaN(Bf16.round(Float.intBitsToFloat(0xff800001))));
        assertEquals((short) 0xffc0, (short) (Bf16.fromFloat(Float.intBitsToFloat(0xff800001)) & 0xffc0));
        // Beyond the largest finite bf16 (0x7f7f) rounding overflows to infinity.
        assertEquals(Float.POSITIVE_INFINITY, Bf16.round(Float.MAX_VALUE));
        assertEquals((short) 0x7f7f, Bf16.fromFloat(Float.intBitsToFloat(0x7f7f7fff)));
    }

    @Test
    void agreesWithADoublePrecisionReference() {
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < 200_000; i++) {
            float v = Float.intBitsToFloat(random.nextInt()) ;
            if (!Float.isFinite(v) || Math.abs(v) > 3e38f) {
                continue;
            }
            float r = Bf16.round(v);
            // The two bf16 neighbours of v share its sign: truncation and one bf16 ulp further out.
            int truncated = Float.floatToRawIntBits(v) & 0xffff0000;
            float inner = Float.intBitsToFloat(truncated);
            float outer = Float.intBitsToFloat(truncated + 0x10000);
            double innerError = Math.abs((double) v - inner);
            double outerError = Math.abs((double) v - outer);
            float expected = innerError < outerError ? inner
                    : outerError < innerError ? outer
                    : ((truncated >>> 16) & 1) == 0 ? inner : outer;
            assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(r), "value " + v);
        }
    }

    @Test
    void bulkEncodeDecode() {
        float[] values = {1.5f, -3.25f, 1e-3f, 7e5f, Float.NaN, Float.intBitsToFloat(0x7f800001), Float.POSITIVE_INFINITY,
            -0f, Float.MAX_VALUE, Float.intBitsToFloat(0x3f808000), Float.intBitsToFloat(0x3f818000), 1e-40f};
        float[] decoded = Bf16.decode(Bf16.encode(values));
        float[] rounded = values.clone();
        Bf16.roundInPlace(rounded);
        // The bulk path and the scalar path agree bit for bit, NaN payloads included.
        for (int i = 0; i < values.length; i++) {
            assertEquals(Float.floatToRawIntBits(decoded[i]), Float.floatToRawIntBits(rounded[i]), "value " + i);
        }
    }
}
