package dev.oplora.safetensors;

import dev.oplora.precision.Bf16;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A safetensors file open for reading. The header is validated on open; tensor bytes are read
 * through memory-mapped windows of at most {@link #WINDOW} bytes, so tensors above 2 GiB and
 * files above 4 GiB work and no whole-file copy is made.
 */
public final class SafetensorsFile implements AutoCloseable {

    /** Largest mapped window; tensors are read window by window. */
    static final long WINDOW = 1L << 30;

    private final Path path;
    private final FileChannel channel;
    private final Header header;
    private final Map<String, TensorInfo> byName = new LinkedHashMap<>();
    private long windowBytes = WINDOW;

    private SafetensorsFile(Path path, FileChannel channel, Header header) {
        this.path = path;
        this.channel = channel;
        this.header = header;
        for (TensorInfo t : header.tensors()) {
            byName.put(t.name(), t);
        }
    }

    /** Opens and validates {@code path}. */
    public static SafetensorsFile open(Path path) throws IOException {
        FileChannel channel;
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new SafetensorsException(path, "no such file");
        }
        try {
            long size = channel.size();
            ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            if (size >= 8) {
                readFully(channel, lengthBytes, 0);
            }
            long headerLength = size >= 8 ? lengthBytes.flip().getLong() : 0;
            Header.checkLength(path, headerLength, size);
            ByteBuffer json = ByteBuffer.allocate((int) headerLength);
            readFully(channel, json, 8);
            long dataStart = 8 + headerLength;
            Header header = Header.parse(path, json.array(), dataStart, size - dataStart);
            return new SafetensorsFile(path, channel, header);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    public Path path() {
        return path;
    }

    /** Entries in data order. */
    public List<TensorInfo> tensors() {
        return header.tensors();
    }

    public Map<String, String> metadata() {
        return header.metadata();
    }

    public boolean contains(String name) {
        return byName.containsKey(name);
    }

    /** The entry for {@code name}; an exception naming file and tensor when absent. */
    public TensorInfo info(String name) throws SafetensorsException {
        TensorInfo t = byName.get(name);
        if (t == null) {
            throw new SafetensorsException(path, name, "not in this file");
        }
        return t;
    }

    /** A floating tensor converted to float32 (F64 rounds, F16 and BF16 widen exactly). */
    public float[] readFloats(String name) throws IOException {
        TensorInfo t = info(name);
        if (!t.dtype().isFloating()) {
            throw new SafetensorsException(path, name, "dtype " + t.dtype() + " is not a floating type");
        }
        float[] out = new float[checkedLength(t)];
        int[] filled = {0};
        forEachWindow(t, window -> {
            int n = window.remaining() / t.dtype().size();
            int at = filled[0];
            switch (t.dtype()) {
                case F32 -> window.asFloatBuffer().get(out, at, n);
                case F64 -> {
                    var doubles = window.asDoubleBuffer();
                    for (int i = 0; i < n; i++) {
                        out[at + i] = (float) doubles.get(i);
                    }
                }
                case BF16 -> {
                    var shorts = window.asShortBuffer();
                    for (int i = 0; i < n; i++) {
                        out[at + i] = Bf16.toFloat(shorts.get(i));
                    }
                }
                default -> {
                    var shorts = window.asShortBuffer();
                    for (int i = 0; i < n; i++) {
                        out[at + i] = HalfFloat.toFloat(shorts.get(i));
                    }
                }
            }
            filled[0] += n;
        });
        return out;
    }

    /** An I64 or I32 tensor as longs. */
    public long[] readLongs(String name) throws IOException {
        TensorInfo t = info(name);
        if (t.dtype() != Dtype.I64 && t.dtype() != Dtype.I32) {
            throw new SafetensorsException(path, name, "dtype " + t.dtype() + " is not an integer type");
        }
        long[] out = new long[checkedLength(t)];
        int[] filled = {0};
        forEachWindow(t, window -> {
            int n = window.remaining() / t.dtype().size();
            for (int i = 0; i < n; i++) {
                out[filled[0] + i] = t.dtype() == Dtype.I64 ? window.getLong(i * 8) : window.getInt(i * 4);
            }
            filled[0] += n;
        });
        return out;
    }

    /** The raw little-endian bytes of a tensor (at most 2 GiB). */
    public byte[] readBytes(String name) throws IOException {
        TensorInfo t = info(name);
        if (t.byteSize() > Integer.MAX_VALUE - 8) {
            throw new SafetensorsException(path, name, t.byteSize() + " bytes do not fit one Java array; read it window by window");
        }
        byte[] out = new byte[(int) t.byteSize()];
        int[] filled = {0};
        forEachWindow(t, window -> {
            int n = window.remaining();
            window.get(out, filled[0], n);
            filled[0] += n;
        });
        return out;
    }

    /** Receives consecutive little-endian windows of one tensor's bytes. */
    @FunctionalInterface
    public interface WindowConsumer {
        void accept(ByteBuffer window) throws IOException;
    }

    /**
     * Passes the tensor's bytes in order, as read-only little-endian buffers of at most
     * {@link #WINDOW} bytes, each a whole number of elements.
     */
    public void forEachWindow(TensorInfo t, WindowConsumer consumer) throws IOException {
        long remaining = t.byteSize();
        long position = header.dataStart() + t.begin();
        long window = Math.max(t.dtype().size(), windowBytes - windowBytes % t.dtype().size());
        while (remaining > 0) {
            long length = Math.min(window, remaining);
            MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY, position, length);
            consumer.accept(mapped.order(ByteOrder.LITTLE_ENDIAN));
            position += length;
            remaining -= length;
        }
    }

    /** Smaller windows, so tests exercise multi-window reads on small files. */
    SafetensorsFile windowBytes(long bytes) {
        this.windowBytes = bytes;
        return this;
    }

    private int checkedLength(TensorInfo t) throws SafetensorsException {
        if (t.elements() > Integer.MAX_VALUE - 8) {
            throw new SafetensorsException(path, t.name(), t.elements()
                    + " elements do not fit one Java array; read it window by window");
        }
        return (int) t.elements();
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, position + buffer.position());
            if (n < 0) {
                throw new java.io.EOFException("unexpected end of file");
            }
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
