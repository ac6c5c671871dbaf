package dev.oplora.geometry;

import dev.oplora.mask.Mask;
import java.util.BitSet;
import java.util.List;

/**
 * Consistency of update masks across runs r = 1..R fine-tuned from the same base (PNT section 2).
 *
 * @param jaccard pairwise |A & B| / |A | B| (NaN where both masks are empty; 1 on the diagonal)
 * @param randomBaseline pairwise p q / (p + q - p q): the expected Jaccard of independent masks
 *     with the same densities
 * @param consensusRatio |all runs| / |any run|: the share of ever-updated entries that every run updates
 * @param agreement agreement[j - 1] = share of ever-updated entries updated by exactly j runs
 * @param rowUpdateRatio per row, mean over runs of the fraction of the row's entries updated
 * @param columnUpdateRatio per column, likewise
 */
public record CrossRun(double[][] jaccard, double[][] randomBaseline, double consensusRatio, double[] agreement,
                       double[] rowUpdateRatio, double[] columnUpdateRatio) {

    /** Statistics over two or more masks of one matrix. */
    public static CrossRun of(List<Mask> masks) {
        if (masks.size() < 2) {
            throw new IllegalArgumentException("cross-run statistics need at least two runs, got " + masks.size());
        }
        int runs = masks.size();
        double[][] jaccard = new double[runs][runs];
        double[][] baseline = new double[runs][runs];
        for (int a = 0; a < runs; a++) {
            for (int b = 0; b < runs; b++) {
                jaccard[a][b] = a == b ? 1 : jaccard(masks.get(a), masks.get(b));
                baseline[a][b] = a == b ? 1 : randomBaseline(masks.get(a).density(), masks.get(b).density());
            }
        }
        int[] votes = votes(masks);
        long any = 0;
        double[] agreement = new double[runs];
        for (int v : votes) {
            if (v > 0) {
                any++;
                agreement[v - 1]++;
            }
        }
        for (int j = 0; j < runs; j++) {
            agreement[j] = any == 0 ? Double.NaN : agreement[j] / any;
        }
        double consensus = any == 0 ? Double.NaN : agreement[runs - 1];
        return new CrossRun(jaccard, baseline, consensus, agreement,
                ratios(masks, true), ratios(masks, false));
    }

    /** |A & B| / |A | B|; NaN when both are empty. */
    public static double jaccard(Mask a, Mask b) {
        long both = a.intersectionCount(b);
        long union = a.count() + b.count() - both;
        return union == 0 ? Double.NaN : both / (double) union;
    }

    /** Expected Jaccard of independent uniformly random masks of densities p and q. */
    public static double randomBaseline(double p, double q) {
        double union = p + q - p * q;
        return union == 0 ? Double.NaN : p * q / union;
    }

    /** Consensus matrix C_ij = mean over runs of M_ij, row-major. */
    public static float[] consensus(List<Mask> masks) {
        int[] votes = votes(masks);
        float[] c = new float[votes.length];
        for (int i = 0; i < votes.length; i++) {
            c[i] = votes[i] / (float) masks.size();
        }
        return c;
    }

    private static int[] votes(List<Mask> masks) {
        Mask first = masks.get(0);
        int[] votes = new int[Math.toIntExact(first.size())];
        for (Mask m : masks) {
            if (m.rows() != first.rows() || m.cols() != first.cols()) {
                throw new IllegalArgumentException("mask shapes differ: " + first.rows() + "x" + first.cols()
                        + " vs " + m.rows() + "x" + m.cols());
            }
            BitSet bits = m.bits();
            for (int i = bits.nextSetBit(0); i >= 0; i = bits.nextSetBit(i + 1)) {
                votes[i]++;
            }
        }
        return votes;
    }

    private static double[] ratios(List<Mask> masks, boolean rows) {
        Mask first = masks.get(0);
        double[] out = new double[Math.toIntExact(rows ? first.rows() : first.cols())];
        double width = rows ? first.cols() : first.rows();
        for (Mask m : masks) {
            long[] counts = rows ? m.rowCounts() : m.columnCounts();
            for (int i = 0; i < out.length; i++) {
                out[i] += counts[i] / width / masks.size();
            }
        }
        return out;
    }
}
