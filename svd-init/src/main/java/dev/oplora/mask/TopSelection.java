package dev.oplora.mask;

import java.util.BitSet;

/**
 * Exactly {@code count} entries with the largest scores, ties broken towards the lower flat index,
 * in O(n): a three-way-partition quickselect finds the threshold value, then one scan takes every
 * entry above it and the first entries equal to it.
 */
final class TopSelection {

    private TopSelection() {
    }

    /** Flat indices of the {@code count} largest entries of {@code scores} (not modified). */
    static BitSet largest(float[] scores, int count) {
        if (count < 0 || count > scores.length) {
            throw new IllegalArgumentException("cannot select " + count + " of " + scores.length + " entries");
        }
        BitSet selected = new BitSet(scores.length);
        if (count == 0) {
            return selected;
        }
        float threshold = kthLargest(scores.clone(), count);
        int above = 0;
        for (float s : scores) {
            if (s > threshold) {
                above++;
            }
        }
        int equalWanted = count - above;
        for (int i = 0; i < scores.length; i++) {
            if (scores[i] > threshold) {
                selected.set(i);
            } else if (scores[i] == threshold && equalWanted > 0) {
                selected.set(i);
                equalWanted--;
            }
        }
        return selected;
    }

    /** The k-th largest value (1-based); {@code work} is reordered. */
    static float kthLargest(float[] work, int k) {
        int lo = 0;
        int hi = work.length - 1;
        int target = k - 1; // index in descending order
        long state = 0x9E3779B97F4A7C15L;
        while (true) {
            state = state * 6364136223846793005L + 1442695040888963407L;
            float pivot = work[lo + (int) Long.remainderUnsigned(state >>> 1, hi - lo + 1)];
            // Three-way partition, descending: [lo, gt) > pivot, [gt, i) == pivot, (lt, hi] < pivot.
            int gt = lo;
            int i = lo;
            int lt = hi;
            while (i <= lt) {
                float v = work[i];
                if (v > pivot) {
                    work[i++] = work[gt];
                    work[gt++] = v;
                } else if (v < pivot) {
                    work[i] = work[lt];
                    work[lt--] = v;
                } else {
                    i++;
                }
            }
            if (target < gt) {
                hi = gt - 1;
            } else if (target > lt) {
                lo = lt + 1;
            } else {
                return pivot;
            }
        }
    }
}
