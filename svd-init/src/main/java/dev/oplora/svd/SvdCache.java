package dev.oplora.svd;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.function.Supplier;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decompositions kept on disk, keyed by a SHA-256 of the matrix content (data type, shape and
 * bytes) plus the request ("top-64 partial"), so that every cell of an ablation grid decomposes
 * each base weight once. Safe for concurrent processes: entries are written to a temp file in
 * the same folder and moved into place atomically; a damaged entry is reported, deleted and
 * recomputed.
 *
 * <p>Entry layout: magic {@code OPSVD001}, data type code (4 = float32, 8 = float64), m, n, p as
 * little-endian int32, then U (m x p), s (p), V^T (p x n), row-major little-endian.
 */
public final class SvdCache {

    private static final Logger LOG = LoggerFactory.getLogger(SvdCache.class);
    private static final byte[] MAGIC = "OPSVD001".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final int HEADER = MAGIC.length + 16;

    private final Path directory;

    public SvdCache(Path directory) {
        this.directory = directory;
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create SVD cache folder " + directory, e);
        }
    }

    public Path directory() {
        return directory;
    }

    /** The cached decomposition for ({@code w}, {@code request}), computing and storing it if absent. */
    public Svd get(INDArray w, String request, Supplier<Svd> compute) {
        Path entry = directory.resolve(contentHash(w) + "-" + request.replaceAll("[^A-Za-z0-9._-]", "_") + ".svd");
        if (Files.exists(entry)) {
            try {
                return read(entry, w.dataType());
            } catch (IOException | IllegalStateException e) {
                LOG.warn("SVD cache entry {} is unreadable ({}); recomputing", entry, e.getMessage());
                deleteQuietly(entry);
            }
        }
        Svd svd = compute.get();
        write(entry, svd);
        return svd;
    }

    /** Number of entries on disk. */
    public long size() {
        try (var files = Files.list(directory)) {
            return files.filter(p -> p.toString().endsWith(".svd")).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** SHA-256 (hex) of data type, shape and row-major content. */
    public static String contentHash(INDArray w) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(w.dataType().name().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            for (long d : w.shape()) {
                digest.update(ByteBuffer.allocate(8).putLong(d).array());
            }
            INDArray contiguous = w.isView() || w.ordering() != 'c' ? w.dup('c') : w;
            ByteBuffer bytes = contiguous.data().asNio().duplicate();
            bytes.limit((int) (contiguous.length() * contiguous.dataType().width()));
            digest.update(bytes);
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    private void write(Path entry, Svd svd) {
        Path temp = null;
        try {
            temp = Files.createTempFile(directory, ".svd-", ".tmp");
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ByteBuffer header = ByteBuffer.allocate(HEADER).order(ByteOrder.LITTLE_ENDIAN);
                header.put(MAGIC).putInt(svd.u().dataType() == DataType.DOUBLE ? 8 : 4)
                        .putInt((int) svd.u().rows()).putInt((int) svd.vt().columns()).putInt(svd.size()).flip();
                channel.write(header);
                for (INDArray part : new INDArray[] {svd.u(), svd.s(), svd.vt()}) {
                    channel.write(littleEndianBytes(part));
                }
            }
            try {
                Files.move(temp, entry, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, entry, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            // A cache that cannot be written only costs time: warn and go on.
            LOG.warn("cannot write SVD cache entry {}: {}", entry, e.getMessage());
            if (temp != null) {
                deleteQuietly(temp);
            }
        }
    }

    private static Svd read(Path entry, DataType expected) throws IOException {
        try (FileChannel channel = FileChannel.open(entry, StandardOpenOption.READ)) {
            long fileSize = channel.size();
            ByteBuffer header = ByteBuffer.allocate(HEADER).order(ByteOrder.LITTLE_ENDIAN);
            if (fileSize < HEADER || channel.read(header, 0) != HEADER) {
                throw new IllegalStateException("truncated header");
            }
            header.flip();
            byte[] magic = new byte[MAGIC.length];
            header.get(magic);
            if (!java.util.Arrays.equals(magic, MAGIC)) {
                throw new IllegalStateException("bad magic");
            }
            int width = header.getInt();
            long m = header.getInt();
            long n = header.getInt();
            long p = header.getInt();
            DataType type = width == 8 ? DataType.DOUBLE : width == 4 ? DataType.FLOAT : null;
            if (type != expected || m <= 0 || n <= 0 || p <= 0 || p > Math.min(m, n)
                    || fileSize != HEADER + (m * p + p + p * n) * width) {
                throw new IllegalStateException("header does not match the file (type " + width + ", " + m + "x" + n
                        + ", p " + p + ", " + fileSize + " bytes)");
            }
            long offset = HEADER;
            INDArray u = readArray(channel, offset, type, m, p);
            offset += m * p * width;
            INDArray s = readArray(channel, offset, type, 1, p).reshape(p);
            offset += p * width;
            INDArray vt = readArray(channel, offset, type, p, n);
            return new Svd(u, s, vt);
        }
    }

    private static INDArray readArray(FileChannel channel, long offset, DataType type, long rows, long cols)
            throws IOException {
        INDArray out = Nd4j.createUninitialized(type, new long[] {rows, cols}, 'c');
        ByteBuffer target = out.data().asNio().duplicate().order(ByteOrder.nativeOrder());
        target.limit((int) (rows * cols * type.width()));
        ByteBuffer little = ByteBuffer.allocate(target.limit()).order(ByteOrder.LITTLE_ENDIAN);
        while (little.hasRemaining()) {
            if (channel.read(little, offset + little.position()) < 0) {
                throw new IllegalStateException("truncated data");
            }
        }
        little.flip();
        if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) {
            target.put(little);
        } else if (type == DataType.DOUBLE) {
            target.asDoubleBuffer().put(little.asDoubleBuffer());
        } else {
            target.asFloatBuffer().put(little.asFloatBuffer());
        }
        return out;
    }

    private static ByteBuffer littleEndianBytes(INDArray x) {
        INDArray c = x.isView() || x.ordering() != 'c' ? x.dup('c') : x;
        int length = (int) (c.length() * c.dataType().width());
        ByteBuffer out = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        if (c.dataType() == DataType.DOUBLE) {
            out.asDoubleBuffer().put(c.data().asNioDouble().duplicate().limit((int) c.length()));
        } else {
            out.asFloatBuffer().put(c.data().asNioFloat().duplicate().limit((int) c.length()));
        }
        return out;
    }

    private static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // Best effort: a leftover temp file is harmless, entries are only read by their final name.
        }
    }
}
