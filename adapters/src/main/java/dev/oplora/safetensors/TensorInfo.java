package dev.oplora.safetensors;

import java.util.Arrays;

/**
 * One header entry: where a tensor's bytes lie in the data section.
 *
 * @param begin offset of the first byte, relative to the start of the data section
 * @param end offset one past the last byte
 */
public record TensorInfo(String name, Dtype dtype, long[] shape, long begin, long end) {

    /** Number of elements (1 for a scalar). */
    public long elements() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    public long byteSize() {
        return end - begin;
    }

    public int rank() {
        return shape.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorInfo t && t.name.equals(name) && t.dtype == dtype && Arrays.equals(t.shape, shape)
                && t.begin == begin && t.end == end;
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return name + " " + dtype + Arrays.toString(shape) + " @[" + begin + ", " + end + ")";
    }
}
