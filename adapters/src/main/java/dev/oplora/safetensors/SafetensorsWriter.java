package dev.oplora.safetensors;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.oplora.files.AtomicFiles;
import dev.oplora.precision.Bf16;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds a safetensors file. Tensor contents are produced only when {@link #write} streams them,
 * so a multi-GB checkpoint is never held in memory at once.
 *
 * <p>Layout written: 8-byte little-endian header length N; the header JSON, compact, with
 * {@code __metadata__} first and then the tensors in data order, padded with spaces so that N is
 * a multiple of 8; the data, tensors ordered by element size (largest first, so every tensor is
 * aligned to its element size) and then by name. The file is written to a temp file in the
 * target folder and moved into place, so a failed write leaves nothing behind.
 */
public final class SafetensorsWriter {

    /** Writes one tensor's little-endian bytes. */
    @FunctionalInterface
    public interface TensorData {
        void writeTo(FileChannel out) throws IOException;
    }

    /** Produces float values when the file is written. */
    @FunctionalInterface
    public interface FloatSource {
        float[] get() throws IOException;
    }

    private record Entry(String name, Dtype dtype, long[] shape, TensorData data) {
        long bytes() {
            long n = dtype.size();
            for (long d : shape) {
                n = Math.multiplyExact(n, d);
            }
            return n;
        }
    }

    private final Map<String, String> metadata = new LinkedHashMap<>();
    private final List<Entry> entries = new ArrayList<>();
    private final Set<String> names = new HashSet<>();

    public SafetensorsWriter metadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    /** Float values stored as {@code dtype} (F32, F64, BF16 with round-to-nearest-even, or F16). */
    public SafetensorsWriter add(String name, Dtype dtype, long[] shape, float[] values) {
        if (!dtype.isFloating()) {
            throw new IllegalArgumentException("tensor '" + name + "': float values cannot be stored as " + dtype);
        }
        requireLength(name, shape, values.length);
        return add(name, dtype, shape, out -> writeFloats(out, dtype, values));
    }

    /**
     * Float values produced at write time (e.g. read from another checkpoint), stored as
     * {@code dtype}; only one such tensor is in memory at a time.
     */
    public SafetensorsWriter addLazy(String name, Dtype dtype, long[] shape, FloatSource values) {
        if (!dtype.isFloating()) {
            throw new IllegalArgumentException("tensor '" + name + "': float values cannot be stored as " + dtype);
        }
        return add(name, dtype, shape, out -> {
            float[] v = values.get();
            requireLength(name, shape, v.length);
            writeFloats(out, dtype, v);
        });
    }

    /** Integer values stored as I64 or I32. */
    public SafetensorsWriter add(String name, Dtype dtype, long[] shape, long[] values) {
        if (dtype != Dtype.I64 && dtype != Dtype.I32) {
            throw new IllegalArgumentException("tensor '" + name + "': integer values cannot be stored as " + dtype);
        }
        requireLength(name, shape, values.length);
        return add(name, dtype, shape, out -> {
            ByteBuffer buffer = ByteBuffer.allocate(values.length * dtype.size()).order(ByteOrder.LITTLE_ENDIAN);
            for (long v : values) {
                if (dtype == Dtype.I64) {
                    buffer.putLong(v);
                } else {
                    buffer.putInt(Math.toIntExact(v));
                }
            }
            writeAll(out, buffer.flip());
        });
    }

    /** Raw little-endian bytes (U8, BOOL or any dtype whose encoding the caller owns). */
    public SafetensorsWriter addBytes(String name, Dtype dtype, long[] shape, byte[] bytes) {
        Entry probe = new Entry(name, dtype, shape, null);
        if (probe.bytes() != bytes.length) {
            throw new IllegalArgumentException("tensor '" + name + "': " + bytes.length + " bytes given, "
                    + dtype + java.util.Arrays.toString(shape) + " needs " + probe.bytes());
        }
        return add(name, dtype, shape, out -> writeAll(out, ByteBuffer.wrap(bytes)));
    }

    /** A tensor whose bytes a callback writes at {@link #write} time. */
    public SafetensorsWriter add(String name, Dtype dtype, long[] shape, TensorData data) {
        if (name.equals("__metadata__") || !names.add(name)) {
            throw new IllegalArgumentException("tensor name '" + name + "' is reserved or already used");
        }
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("tensor '" + name + "' has a negative dimension");
            }
        }
        entries.add(new Entry(name, dtype, shape.clone(), data));
        return this;
    }

    /** The header bytes (length prefix excluded) for the tensors added so far. */
    byte[] headerBytes() {
        ObjectNode root = Header.JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = root.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Entry e : ordered()) {
            ObjectNode node = root.putObject(e.name());
            node.put("dtype", e.dtype().name());
            ArrayNode shape = node.putArray("shape");
            for (long d : e.shape()) {
                shape.add(d);
            }
            node.putArray("data_offsets").add(offset).add(offset + e.bytes());
            offset += e.bytes();
        }
        byte[] json = root.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        byte[] out = java.util.Arrays.copyOf(json, padded);
        java.util.Arrays.fill(out, json.length, padded, (byte) ' ');
        return out;
    }

    /** Writes the file atomically; on any failure the target is untouched and no temp file remains. */
    public void write(Path file) throws IOException {
        Path target = file.toAbsolutePath();
        Path folder = target.getParent();
        Files.createDirectories(folder);
        Path temp = Files.createTempFile(folder, "." + target.getFileName() + ".", ".tmp");
        try {
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                byte[] header = headerBytes();
                writeAll(out, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).flip());
                writeAll(out, ByteBuffer.wrap(header));
                for (Entry e : ordered()) {
                    long before = out.position();
                    e.data().writeTo(out);
                    if (out.position() - before != e.bytes()) {
                        throw new IOException(file + ": tensor '" + e.name() + "' wrote " + (out.position() - before)
                                + " bytes, expected " + e.bytes());
                    }
                }
                out.force(true);
            }
            AtomicFiles.moveIntoPlace(temp, target);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
    }

    private List<Entry> ordered() {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingInt((Entry e) -> -e.dtype().size()).thenComparing(Entry::name));
        return sorted;
    }

    private static void requireLength(String name, long[] shape, int length) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        if (n != length) {
            throw new IllegalArgumentException("tensor '" + name + "': shape " + java.util.Arrays.toString(shape)
                    + " holds " + n + " values, got " + length);
        }
    }

    /** Encodes floats in chunks (bounded memory for large tensors). */
    static void writeFloats(FileChannel out, Dtype dtype, float[] values) throws IOException {
        int chunk = 1 << 20;
        ByteBuffer buffer = ByteBuffer.allocate(chunk * dtype.size()).order(ByteOrder.LITTLE_ENDIAN);
        for (int from = 0; from < values.length; from += chunk) {
            int to = Math.min(values.length, from + chunk);
            buffer.clear();
            for (int i = from; i < to; i++) {
                switch (dtype) {
                    case F32 -> buffer.putFloat(values[i]);
                    case F64 -> buffer.putDouble(values[i]);
                    case BF16 -> buffer.putShort(Bf16.fromFloat(values[i]));
                    default -> buffer.putShort(HalfFloat.fromFloat(values[i]));
                }
            }
            writeAll(out, buffer.flip());
        }
    }

    private static void writeAll(FileChannel out, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            out.write(buffer);
        }
    }
}
