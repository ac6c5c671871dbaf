package dev.oplora.svd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class SvdCacheTest {

    @TempDir
    Path dir;

    @Test
    void secondRequestIsReadFromDiskBitForBit() {
        SvdCache cache = new SvdCache(dir);
        for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            INDArray w = Constructed.of(30, 20, Constructed.distinct(20), 2).matrix(type);
            AtomicInteger computed = new AtomicInteger();
            Svd first = cache.get(w, "top-5-partial", () -> {
                computed.incrementAndGet();
                return Svds.top(w, 5);
            });
            Svd second = new SvdCache(dir).get(w.dup(), "top-5-partial", () -> {
                computed.incrementAndGet();
                return Svds.top(w, 5);
            });
            assertEquals(1, computed.get(), "computed once for " + type);
            assertEquals(first.u(), second.u());
            assertEquals(first.s(), second.s());
            assertEquals(first.vt(), second.vt());
            assertEquals(type, second.u().dataType());
        }
        assertEquals(2, cache.size());
    }

    @Test
    void contentDecidesTheKey() {
        INDArray w = Constructed.of(12, 10, Constructed.distinct(10), 2).matrix(DataType.FLOAT);
        INDArray changed = w.dup();
        changed.putScalar(3, 3, changed.getFloat(3, 3) + 1e-6f);
        assertEquals(SvdCache.contentHash(w), SvdCache.contentHash(w.dup()));
        assertNotEquals(SvdCache.contentHash(w), SvdCache.contentHash(changed));
        assertNotEquals(SvdCache.contentHash(w), SvdCache.contentHash(w.castTo(DataType.DOUBLE)));
        assertNotEquals(SvdCache.contentHash(w), SvdCache.contentHash(w.reshape(10, 12)));
        // A transposed view hashes as its row-major content.
        assertEquals(SvdCache.contentHash(w.transpose().dup('c')), SvdCache.contentHash(w.transpose()));
    }

    @Test
    void damagedEntryIsRecomputed() throws IOException {
        SvdCache cache = new SvdCache(dir);
        INDArray w = Constructed.of(16, 12, Constructed.distinct(12), 5).matrix(DataType.FLOAT);
        Svd good = cache.get(w, "full", () -> Svds.full(w));
        try (var files = Files.list(dir)) {
            Path entry = files.filter(p -> p.toString().endsWith(".svd")).findFirst().orElseThrow();
            byte[] bytes = Files.readAllBytes(entry);
            Files.write(entry, java.util.Arrays.copyOf(bytes, bytes.length - 7));
        }
        AtomicInteger computed = new AtomicInteger();
        Svd again = cache.get(w, "full", () -> {
            computed.incrementAndGet();
            return Svds.full(w);
        });
        assertEquals(1, computed.get());
        assertEquals(good.s(), again.s());
        assertEquals(1, cache.size());
    }

    @Test
    void cachedSolverServesInits() {
        INDArray w = Constructed.of(40, 30, Constructed.distinct(30), 8).matrix(DataType.FLOAT);
        SvdSolver cached = new SvdSolver.Cached(new SvdSolver.Partial(), new SvdCache(dir));
        SvdsTest.assertTriplesMatch(Svds.top(w, 4), cached.top(w, 4), 1e-6);
        SvdsTest.assertTriplesMatch(Svds.top(w, 4), cached.top(w, 4), 1e-6);
        SvdsTest.assertTriplesMatch(Svds.bottom(w, 3), cached.bottom(w, 3), 1e-6);
        assertEquals(2, new SvdCache(dir).size());
    }
}
