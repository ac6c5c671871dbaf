package dev.oplora.mask;

import java.util.BitSet;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A fixed set of entries of a rows x cols matrix (row-major flat indices), immutable. Used both
 * for the entries a sparse adapter trains and for the entries a fine-tuning run changed.
 */
public final class Mask {

    private final long rows;
    private final long cols;
    private final BitSet bits;

    private Mask(long rows, long cols, BitSet bits) {
        if (rows * cols > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("masks are limited to 2^31 - 1 entries, got " + rows + "x" + cols);
        }
        this.rows = rows;
        this.cols = cols;
        this.bits = bits;
    }

    /** A mask owning {@code bits} (not copied: callers hand over a fresh set). */
    public static Mask of(long rows, long cols, BitSet bits) {
        if (bits.length() > rows * cols) {
            throw new IllegalArgumentException("mask bit " + (bits.length() - 1) + " is outside a " + rows + "x" + cols + " matrix");
        }
        return new Mask(rows, cols, bits);
    }

    /** A mask from flat row-major indices. */
    public static Mask fromIndices(long rows, long cols, int... indices) {
        BitSet bits = new BitSet();
        for (int index : indices) {
            bits.set(index);
        }
        return of(rows, cols, bits);
    }

    public long rows() {
        return rows;
    }

    public long cols() {
        return cols;
    }

    /** rows x cols. */
    public long size() {
        return rows * cols;
    }

    /** Entries in the mask. */
    public long count() {
        return bits.cardinality();
    }

    /** count / size. */
    public double density() {
        return count() / (double) size();
    }

    public boolean get(long row, long col) {
        return bits.get(Math.toIntExact(row * cols + col));
    }

    public boolean get(int flat) {
        return bits.get(flat);
    }

    /** Flat row-major indices of the entries, ascending. */
    public int[] indices() {
        return bits.stream().toArray();
    }

    public Mask and(Mask other) {
        requireSameShape(other);
        BitSet out = (BitSet) bits.clone();
        out.and(other.bits);
        return new Mask(rows, cols, out);
    }

    public Mask or(Mask other) {
        requireSameShape(other);
        BitSet out = (BitSet) bits.clone();
        out.or(other.bits);
        return new Mask(rows, cols, out);
    }

    /** Every entry not in this mask. */
    public Mask not() {
        BitSet out = (BitSet) bits.clone();
        out.flip(0, Math.toIntExact(size()));
        return new Mask(rows, cols, out);
    }

    /** |this & other|, without building the intersection. */
    public long intersectionCount(Mask other) {
        requireSameShape(other);
        BitSet small = bits.cardinality() < other.bits.cardinality() ? bits : other.bits;
        BitSet large = small == bits ? other.bits : bits;
        long count = 0;
        for (int i = small.nextSetBit(0); i >= 0; i = small.nextSetBit(i + 1)) {
            if (large.get(i)) {
                count++;
            }
        }
        return count;
    }

    /** Entries per row in the mask. */
    public long[] rowCounts() {
        long[] counts = new long[Math.toIntExact(rows)];
        for (int i = bits.nextSetBit(0); i >= 0; i = bits.nextSetBit(i + 1)) {
            counts[(int) (i / cols)]++;
        }
        return counts;
    }

    /** Entries per column in the mask. */
    public long[] columnCounts() {
        long[] counts = new long[Math.toIntExact(cols)];
        for (int i = bits.nextSetBit(0); i >= 0; i = bits.nextSetBit(i + 1)) {
            counts[(int) (i % cols)]++;
        }
        return counts;
    }

    /** A dense 0/1 matrix, for multiplying into gradients. */
    public INDArray toArray(DataType type) {
        float[] values = new float[Math.toIntExact(size())];
        for (int i = bits.nextSetBit(0); i >= 0; i = bits.nextSetBit(i + 1)) {
            values[i] = 1f;
        }
        return Nd4j.create(values, new long[] {rows, cols}, DataType.FLOAT).castTo(type);
    }

    /** A copy of the underlying bits. */
    public BitSet bits() {
        return (BitSet) bits.clone();
    }

    private void requireSameShape(Mask other) {
        if (rows != other.rows || cols != other.cols) {
            throw new IllegalArgumentException("mask shapes differ: " + rows + "x" + cols + " vs " + other.rows + "x" + other.cols);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Mask m && m.rows == rows && m.cols == cols && m.bits.equals(bits);
    }

    @Override
    public int hashCode() {
        return bits.hashCode() * 31 + Long.hashCode(rows * 7 + cols);
    }

    @Override
    public String toString() {
        return "Mask[" + rows + "x" + cols + ", " + count() + " entries]";
    }
}
