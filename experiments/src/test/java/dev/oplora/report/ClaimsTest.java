package dev.oplora.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The verdict logic: only an interval that excludes zero decides a claim. */
class ClaimsTest {

    @Test
    void overlappingIntervalsAreInconclusive() {
        Claims.Estimate straddling = Claims.estimate(new double[] {-0.02, 0.05, 0.01, -0.03, 0.04, 0.00});
        assertTrue(straddling.low() < 0 && straddling.high() > 0, straddling.toString());
        assertEquals("inconclusive", Claims.verdict(straddling));
        assertEquals("reproduced", Claims.verdict(Claims.estimate(new double[] {0.30, 0.35, 0.28, 0.33})));
        assertEquals("not reproduced", Claims.verdict(Claims.estimate(new double[] {-0.30, -0.35, -0.28, -0.33})));
        assertEquals("inconclusive", Claims.verdict(Claims.estimate(new double[] {0.3, 0.4})), "two pairs decide nothing");
        assertEquals("inconclusive", Claims.verdict(Claims.estimate(new double[0])));
    }

    @Test
    void theBootstrapIntervalHoldsTheMeanAndIsReproducible() {
        double[] values = {1, 2, 3, 4, 5, 6, 7, 8};
        Claims.Estimate e = Claims.estimate(values);
        assertEquals(4.5, e.mean(), 1e-12);
        assertTrue(e.low() < 4.5 && e.high() > 4.5 && e.low() >= 1 && e.high() <= 8, e.toString());
        assertEquals(e, Claims.estimate(values), "seeded: the same report every time");
    }
}
