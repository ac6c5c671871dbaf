package dev.oplora.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.oplora.precision.Bf16;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {

    @TempDir
    Path dir;

    @Test
    void writerProducesTheSpecifiedBytes() throws IOException {
        Path file = dir.resolve("tiny.safetensors");
        new SafetensorsWriter()
                .metadata("format", "pt")
                .add("b", Dtype.BF16, new long[] {1}, new float[] {1f})
                .add("a", Dtype.F32, new long[] {2}, new float[] {1f, -2f})
                .write(file);
        String json = "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[1],\"data_offsets\":[8,10]}}";
        int padded = (json.length() + 7) / 8 * 8;
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).array());
        expected.writeBytes(json.getBytes(StandardCharsets.UTF_8));
        expected.writeBytes(" ".repeat(padded - json.length()).getBytes(StandardCharsets.UTF_8));
        expected.writeBytes(new byte[] {0, 0, (byte) 0x80, 0x3f, 0, 0, 0, (byte) 0xc0}); // 1.0f, -2.0f
        expected.writeBytes(new byte[] {(byte) 0x80, 0x3f});                            // bf16 1.0
        assertArrayEquals(expected.toByteArray(), Files.readAllBytes(file));
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temp file left");
        }
    }

    @Test
    void everyDtypeRoundTrips() throws IOException {
        float[] values = {0f, 1.5f, -3.25f, 1e-3f, 65504f, -7e-5f};
        long[] ints = {0, 1, -5, Integer.MAX_VALUE, Integer.MIN_VALUE, 42};
        long[] longs = {0, Long.MAX_VALUE, Long.MIN_VALUE, -1, 7, 1L << 40};
        Path file = dir.resolve("all.safetensors");
        new SafetensorsWriter()
                .metadata("format", "pt").metadata("note", "round trip")
                .add("f32", Dtype.F32, new long[] {2, 3}, values)
                .add("f64", Dtype.F64, new long[] {6}, values)
                .add("f16", Dtype.F16, new long[] {3, 2}, values)
                .add("bf16", Dtype.BF16, new long[] {6, 1}, values)
                .add("i64", Dtype.I64, new long[] {6}, longs)
                .add("i32", Dtype.I32, new long[] {2, 3}, ints)
                .addBytes("u8", Dtype.U8, new long[] {3}, new byte[] {1, (byte) 200, 3})
                .addBytes("bool", Dtype.BOOL, new long[] {2}, new byte[] {1, 0})
                .add("scalar", Dtype.F32, new long[] {}, new float[] {9f})
                .add("empty", Dtype.F32, new long[] {0, 4}, new float[0])
                .write(file);
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertEquals(Map.of("format", "pt", "note", "round trip"), f.metadata());
            assertArrayEquals(values, f.readFloats("f32"));
            assertArrayEquals(values, f.readFloats("f64"));
            float[] half = f.readFloats("f16");
            for (int i = 0; i < values.length; i++) {
                assertEquals(values[i], half[i], Math.abs(values[i]) * 1e-3 + 1e-7, "f16 " + i);
            }
            float[] rounded = values.clone();
            Bf16.roundInPlace(rounded);
            assertArrayEquals(rounded, f.readFloats("bf16"));
            assertArrayEquals(longs, f.readLongs("i64"));
            assertArrayEquals(ints, f.readLongs("i32"));
            assertArrayEquals(new byte[] {1, (byte) 200, 3}, f.readBytes("u8"));
            assertArrayEquals(new byte[] {1, 0}, f.readBytes("bool"));
            assertArrayEquals(new float[] {9f}, f.readFloats("scalar"));
            assertEquals(0, f.readFloats("empty").length);
            assertArrayEquals(new long[] {2, 3}, f.info("f32").shape());
            assertEquals(Dtype.BF16, f.info("bf16").dtype());
            assertThrows(SafetensorsException.class, () -> f.readFloats("i64"));
            SafetensorsException missing = assertThrows(SafetensorsException.class, () -> f.info("nope"));
            assertTrue(missing.getMessage().contains("all.safetensors: tensor 'nope': not in this file"));
        }
    }

    @Test
    void halfPrecisionConversionIsExactWhereItMustBe() {
        for (int h = 0; h < 0x10000; h++) {
            float f = HalfFloat.toFloat((short) h);
            if (!Float.isNaN(f)) {
                assertEquals((short) h, HalfFloat.fromFloat(f), "half 0x" + Integer.toHexString(h));
            }
        }
        assertEquals((short) 0x7c00, HalfFloat.fromFloat(70000f));
        assertEquals((short) 0x3c00, HalfFloat.fromFloat(1f + 0x1p-11f)); // tie to even
        assertEquals((short) 0x3c02, HalfFloat.fromFloat(1f + 3 * 0x1p-11f));
    }

    @Test
    void multiWindowReadsMatchSingleWindowReads() throws IOException {
        float[] values = new float[1001];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) Math.sin(i);
        }
        Path file = dir.resolve("windows.safetensors");
        new SafetensorsWriter()
                .add("f32", Dtype.F32, new long[] {1001}, values)
                .add("bf16", Dtype.BF16, new long[] {1001}, values)
                .add("f64", Dtype.F64, new long[] {1001}, values)
                .write(file);
        try (SafetensorsFile whole = SafetensorsFile.open(file);
             SafetensorsFile pieces = SafetensorsFile.open(file).windowBytes(52)) {
            for (String name : List.of("f32", "bf16", "f64")) {
                assertArrayEquals(whole.readFloats(name), pieces.readFloats(name), name);
            }
        }
    }

    @Test
    void shardedFolderReadsThroughTheIndex() throws IOException {
        new SafetensorsWriter().add("x", Dtype.F32, new long[] {2}, new float[] {1, 2}).write(dir.resolve("m-1.safetensors"));
        new SafetensorsWriter().add("y", Dtype.BF16, new long[] {1}, new float[] {3}).write(dir.resolve("m-2.safetensors"));
        Files.writeString(dir.resolve(WeightStore.INDEX_FILE),
                "{\"metadata\":{\"total_size\":10},\"weight_map\":{\"x\":\"m-1.safetensors\",\"y\":\"m-2.safetensors\"}}");
        try (WeightStore store = WeightStore.open(dir)) {
            assertEquals(List.of("x", "y"), store.names());
            assertArrayEquals(new float[] {1, 2}, store.readFloats("x"));
            assertArrayEquals(new float[] {3}, store.readFloats("y"));
        }
        Files.writeString(dir.resolve(WeightStore.INDEX_FILE), "{\"weight_map\":{\"x\":\"m-3.safetensors\"}}");
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> WeightStore.open(dir));
        assertTrue(e.getMessage().contains("shard 'm-3.safetensors' does not exist"), e.getMessage());
        Files.writeString(dir.resolve(WeightStore.INDEX_FILE), "{\"weight_map\":{\"z\":\"m-1.safetensors\"}}");
        e = assertThrows(SafetensorsException.class, () -> WeightStore.open(dir));
        assertTrue(e.getMessage().contains("tensor 'z': listed in model.safetensors.index.json but missing"), e.getMessage());
        Files.writeString(dir.resolve(WeightStore.INDEX_FILE), "{\"weight_map\":{\"x\":\"../m-1.safetensors\"}}");
        e = assertThrows(SafetensorsException.class, () -> WeightStore.open(dir));
        assertTrue(e.getMessage().contains("lies outside the model folder"), e.getMessage());
        e = assertThrows(SafetensorsException.class, () -> WeightStore.open(dir.resolve("absent")));
        assertTrue(e.getMessage().contains("no such file or folder"), e.getMessage());
    }

    @Test
    void failedWriteLeavesNothingBehind() throws IOException {
        Path file = dir.resolve("out.safetensors");
        SafetensorsWriter writer = new SafetensorsWriter()
                .add("ok", Dtype.F32, new long[] {1}, new float[] {1})
                .add("bad", Dtype.F32, new long[] {4}, out -> out.write(ByteBuffer.allocate(3)));
        IOException e = assertThrows(IOException.class, () -> writer.write(file));
        assertTrue(e.getMessage().contains("tensor 'bad' wrote 3 bytes, expected 16"), e.getMessage());
        assertFalse(Files.exists(file));
        try (var files = Files.list(dir)) {
            assertEquals(0, files.count(), "temp file removed");
        }
        assertThrows(IllegalArgumentException.class, () -> new SafetensorsWriter()
                .add("a", Dtype.F32, new long[] {1}, new float[] {1}).add("a", Dtype.F32, new long[] {1}, new float[] {1}));
        assertThrows(IllegalArgumentException.class, () -> new SafetensorsWriter().add("a", Dtype.F32, new long[] {3}, new float[] {1}));
    }
}
