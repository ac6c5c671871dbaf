package dev.oplora.mask;

import static dev.oplora.svd.Expect.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.oplora.svd.Constructed;
import dev.oplora.svd.SvdSolver;
import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class MaskKindTest {

    static final Constructed TRUTH = Constructed.of(40, 30, Constructed.distinct(30), 3);
    static final INDArray W = TRUTH.matrix(DataType.FLOAT);

    @Test
    void everyKindSelectsAnExactCount() {
        for (String name : MaskKind.NAMES) {
            for (double alpha : new double[] {0.1, 0.3, 0.5, 1.0}) {
                Mask mask = MaskKind.parse(name).build(W, new MaskOptions(alpha, 5, 1, new SvdSolver.Partial()));
                long expected = Math.round(alpha * 1200);
                if (name.equals("low-union-complement")) {
                    // low(alpha) union the complement of principal(alpha): at least the larger part.
                    assertTrue(mask.count() >= Math.max(expected, 1200 - expected), name + " " + mask);
                } else {
                    assertEquals(expected, mask.count(), name + " at alpha " + alpha);
                }
            }
        }
    }

    @Test
    void magnitudeMasksBreakTiesTowardsTheLowerIndex() {
        INDArray w = Nd4j.create(new float[] {3, -1, 1, 2, -3, 1, 0, 1}, new long[] {2, 4});
        Mask top = new MaskKind.MagnitudeTop().build(w, MaskOptions.of(0.25, 0));
        assertArrayEquals(new int[] {0, 4}, top.indices()); // |3| and |-3|
        Mask top3 = new MaskKind.MagnitudeTop().build(w, MaskOptions.of(0.375, 0));
        assertArrayEquals(new int[] {0, 3, 4}, top3.indices());
        Mask low = new MaskKind.MagnitudeLow().build(w, MaskOptions.of(0.25, 0));
        assertArrayEquals(new int[] {1, 6}, low.indices()); // 0, then the first of the |1| ties
    }

    @Test
    void principalMaskIsTheTopOfTheRankKApproximation() {
        int k = 4;
        double alpha = 0.2;
        // Reference scores |U_k S_k V_k^T| from the constructed factors, in doubles.
        double[] scores = new double[1200];
        for (int i = 0; i < 40; i++) {
            for (int j = 0; j < 30; j++) {
                double sum = 0;
                for (int t = 0; t < k; t++) {
                    sum += TRUTH.u()[i][t] * TRUTH.sigma()[t] * TRUTH.v()[j][t];
                }
                scores[i * 30 + j] = Math.abs(sum);
            }
        }
        int[] expected = IntStream.range(0, 1200).boxed()
                .sorted(Comparator.comparingDouble((Integer i) -> -scores[i]))
                .limit(240).mapToInt(Integer::intValue).sorted().toArray();
        Mask mask = new MaskKind.Principal().build(W, new MaskOptions(alpha, k, 0, new SvdSolver.Full()));
        // float32 SVD may swap entries whose scores agree to ~1e-6: allow those, nothing else.
        int[] actual = mask.indices();
        long agree = Arrays.stream(actual).filter(i -> Arrays.binarySearch(expected, i) >= 0).count();
        assertTrue(agree >= 238, "agreement " + agree + " of 240");
        for (int i : actual) {
            if (Arrays.binarySearch(expected, i) < 0) {
                assertEquals(scores[expected[239]], scores[i], 1e-5, "only near-ties may differ");
            }
        }
        Mask complement = new MaskKind.PrincipalComplement().build(W, new MaskOptions(0.8, k, 0, new SvdSolver.Full()));
        assertEquals(mask.not(), complement);
        Mask union = new MaskKind.LowUnionComplement().build(W, new MaskOptions(alpha, k, 0, new SvdSolver.Full()));
        Mask low = new MaskKind.MagnitudeLow().build(W, new MaskOptions(alpha, k, 0, new SvdSolver.Full()));
        assertEquals(low.or(mask.not()), union);
    }

    @Test
    void randomMaskIsSeededAndSpreadOut() {
        INDArray w = Nd4j.zeros(DataType.FLOAT, 100, 100);
        Mask a = new MaskKind.Random().build(w, MaskOptions.of(0.3, 7));
        assertEquals(a, new MaskKind.Random().build(w, MaskOptions.of(0.3, 7)));
        assertNotEquals(a, new MaskKind.Random().build(w, MaskOptions.of(0.3, 8)));
        for (long rowCount : a.rowCounts()) {
            assertTrue(rowCount > 10 && rowCount < 55, "row count " + rowCount); // Binomial(100, 0.3): mean 30, sd 4.6
        }
    }

    @Test
    void selectionMatchesASortOnTiedData() {
        SplittableRandom random = new SplittableRandom(4);
        float[] scores = new float[5000];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = random.nextInt(40); // heavy ties
        }
        for (int count : new int[] {0, 1, 17, 2500, 4999, 5000}) {
            int[] expected = IntStream.range(0, scores.length).boxed()
                    .sorted(Comparator.comparingDouble((Integer i) -> -scores[i]).thenComparingInt(i -> i))
                    .limit(count).mapToInt(Integer::intValue).sorted().toArray();
            assertArrayEquals(expected, TopSelection.largest(scores, count).stream().toArray(), "count " + count);
        }
    }

    @Test
    void maskAlgebra() {
        Mask a = Mask.fromIndices(2, 3, 0, 1, 4);
        Mask b = Mask.fromIndices(2, 3, 1, 2, 4);
        assertArrayEquals(new int[] {1, 4}, a.and(b).indices());
        assertArrayEquals(new int[] {0, 1, 2, 4}, a.or(b).indices());
        assertArrayEquals(new int[] {2, 3, 5}, a.not().indices());
        assertEquals(2, a.intersectionCount(b));
        assertArrayEquals(new long[] {2, 1}, a.rowCounts());
        assertArrayEquals(new long[] {1, 2, 0}, a.columnCounts());
        assertEquals(0.5, a.density());
        assertTrue(a.get(1, 1));
        assertEquals(1f, a.toArray(DataType.FLOAT).getFloat(1, 1));
        assertMessage(() -> a.and(Mask.fromIndices(3, 2, 0)), "mask shapes differ");
    }

    @Test
    void badInputIsNamed() {
        assertMessage(() -> MaskOptions.of(0, 1), "density must be in (0, 1]");
        assertMessage(() -> MaskOptions.of(1.5, 1), "density must be in (0, 1]");
        assertMessage(() -> MaskOptions.of(Double.NaN, 1), "density must be in (0, 1]");
        assertMessage(() -> MaskKind.parse("lottery"), "unknown mask 'lottery'");
        assertMessage(() -> new MaskKind.Principal().build(W, new MaskOptions(0.1, 30, 0, new SvdSolver.Full())),
                "principal_rank must be in [1, 29]");
        INDArray nan = W.dup();
        nan.putScalar(1, 1, Float.NaN);
        assertMessage(() -> new MaskKind.MagnitudeTop().build(nan, MaskOptions.of(0.1, 0)), "w contains NaN or Inf at [1, 1]");
    }
}
