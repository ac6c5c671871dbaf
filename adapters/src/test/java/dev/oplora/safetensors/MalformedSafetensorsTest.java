package dev.oplora.safetensors;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every malformation gets its own clear error, and none gets an OutOfMemoryError or a crash. */
class MalformedSafetensorsTest {

    @TempDir
    Path dir;

    private Path raw(long headerLength, String json, int dataBytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(headerLength).array());
        out.writeBytes(json.getBytes(StandardCharsets.UTF_8));
        out.writeBytes(new byte[dataBytes]);
        Path file = Files.createTempFile(dir, "bad", ".safetensors");
        Files.write(file, out.toByteArray());
        return file;
    }

    private Path raw(String json, int dataBytes) throws IOException {
        return raw(json.getBytes(StandardCharsets.UTF_8).length, json, dataBytes);
    }

    private void assertRejected(Path file, String expected) {
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> {
            try (SafetensorsFile f = SafetensorsFile.open(file)) {
                fail("opened " + f.tensors());
            }
        });
        assertTrue(e.getMessage().startsWith(file.toString()), "names the file: " + e.getMessage());
        assertTrue(e.getMessage().contains(expected), "'" + e.getMessage() + "' lacks '" + expected + "'");
    }

    @Test
    void eachMalformationHasItsOwnMessage() throws IOException {
        String a = "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";
        assertRejected(raw("{" + a + "}", 4), "tensor 'a': bytes [0, 8) run past the data section of 4 bytes");
        assertRejected(raw(1_000_000, "{" + a + "}", 8), "header length 1000000 runs past the end of the file");
        assertRejected(raw(Long.MAX_VALUE, "{}", 0), "is outside (0, 100000000]");
        assertRejected(raw(-8, "{}", 0), "is outside (0, 100000000]");
        Files.write(dir.resolve("short.safetensors"), new byte[] {1, 2, 3});
        assertRejected(dir.resolve("short.safetensors"), "shorter than the 8-byte header length");
        assertRejected(raw("{" + a + ",\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8),
                "tensor 'b': bytes [4, 8) overlap tensor 'a' ending at 8");
        assertRejected(raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8),
                "tensor 'a': data_offsets hold 8 bytes but F32[3] needs 12");
        assertRejected(raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}", 8), "end before they begin");
        assertRejected(raw("{\"a\":{\"dtype\":\"F32\",", 8), "header is not valid JSON");
        assertRejected(raw("[1,2]", 0), "header must be a JSON object");
        assertRejected(raw("{\"a\":{\"dtype\":\"Q4\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8), "tensor 'a': unknown dtype 'Q4'");
        assertRejected(raw("{" + a + "," + a + "}", 8), "header is not valid JSON: Duplicate field 'a'");
        assertRejected(raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", 8), "not a non-negative 64-bit integer");
        assertRejected(raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[2]}}", 8), "field 'data_offsets' must be an array of 2 integers");
        assertRejected(raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296,4],\"data_offsets\":[0,8]}}", 8),
                "overflows 64 bits");
        assertRejected(raw("{\"__metadata__\":{\"format\":1}}", 0), "__metadata__ value 'format' must be a string");
        assertRejected(raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[1e3],\"data_offsets\":[0,8]}}", 8), "not a non-negative 64-bit integer");
    }

    @Test
    void truncatedFileIsRejectedAtEveryCut() throws IOException {
        Path good = dir.resolve("good.safetensors");
        new SafetensorsWriter().metadata("format", "pt")
                .add("w", Dtype.F32, new long[] {4, 4}, new float[16])
                .add("b", Dtype.BF16, new long[] {4}, new float[4])
                .write(good);
        byte[] bytes = Files.readAllBytes(good);
        for (int cut = 0; cut < bytes.length; cut++) {
            Path file = dir.resolve("cut.safetensors");
            Files.write(file, Arrays.copyOf(bytes, cut));
            assertThrows(SafetensorsException.class, () -> SafetensorsFile.open(file).close(), "cut at " + cut);
        }
    }

    /**
     * A few thousand random mutations of a valid file: flipped bytes in the length and header,
     * random header lengths, truncations. Each must open and read cleanly or fail with a
     * SafetensorsException; any other exception or error fails the test.
     */
    @Test
    void fuzzedFilesFailCleanly() throws IOException {
        Path good = dir.resolve("seed.safetensors");
        new SafetensorsWriter().metadata("format", "pt")
                .add("model.layers.0.mlp.up_proj.weight", Dtype.F32, new long[] {8, 4}, new float[32])
                .add("model.norm.weight", Dtype.BF16, new long[] {8}, new float[8])
                .add("ids", Dtype.I64, new long[] {3}, new long[] {1, 2, 3})
                .write(good);
        byte[] seed = Files.readAllBytes(good);
        SplittableRandom random = new SplittableRandom(2024);
        Path file = dir.resolve("fuzz.safetensors");
        int opened = 0;
        for (int round = 0; round < 3000; round++) {
            byte[] bytes = seed.clone();
            int mutations = 1 + random.nextInt(4);
            for (int m = 0; m < mutations; m++) {
                switch (random.nextInt(4)) {
                    case 0 -> {
                        if (bytes.length > 0) {
                            bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
                        }
                    }
                    case 1 -> {
                        if (bytes.length > 0) {
                            bytes[random.nextInt(Math.min(bytes.length, 200))] = (byte) "0123456789[]{},:\"-e".charAt(random.nextInt(19));
                        }
                    }
                    case 2 -> {
                        if (bytes.length >= 8) {
                            ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(0, random.nextLong(-10, 1L << 40));
                        }
                    }
                    default -> bytes = Arrays.copyOf(bytes, random.nextInt(bytes.length + 1));
                }
            }
            Files.write(file, bytes);
            try (SafetensorsFile f = SafetensorsFile.open(file)) {
                opened++;
                for (TensorInfo t : f.tensors()) {
                    if (t.dtype().isFloating()) {
                        f.readFloats(t.name());
                    } else {
                        f.readBytes(t.name());
                    }
                }
            } catch (SafetensorsException expected) {
                // the only acceptable failure
            } catch (IOException | RuntimeException | Error e) {
                throw new AssertionError("round " + round + ": " + e, e);
            }
        }
        assertTrue(opened > 0 && opened < 3000, "some mutants valid, most not: " + opened);
    }
}
