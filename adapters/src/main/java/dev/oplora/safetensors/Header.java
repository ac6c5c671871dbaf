package dev.oplora.safetensors;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parsed and fully validated safetensors header. Nothing is allocated from a length or offset
 * before it has been checked against the file: the header length against the file size and a
 * cap, every byte count against shape x dtype, every range against the data section and against
 * its neighbours.
 *
 * @param tensors entries ordered by data offset
 * @param dataStart absolute file offset of the data section (8 + header length)
 */
public record Header(List<TensorInfo> tensors, Map<String, String> metadata, long dataStart) {

    /** Largest header accepted, as in the reference implementation. */
    public static final long MAX_HEADER_BYTES = 100_000_000L;

    static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    /** Validates {@code headerLength} against the file before anything is read. */
    static void checkLength(Path file, long headerLength, long fileSize) throws SafetensorsException {
        if (fileSize < 8) {
            throw new SafetensorsException(file, "file is " + fileSize + " bytes, shorter than the 8-byte header length");
        }
        if (headerLength <= 0 || headerLength > MAX_HEADER_BYTES) {
            throw new SafetensorsException(file, "header length " + Long.toUnsignedString(headerLength)
                    + " is outside (0, " + MAX_HEADER_BYTES + "]");
        }
        if (headerLength > fileSize - 8) {
            throw new SafetensorsException(file, "header length " + headerLength + " runs past the end of the file ("
                    + fileSize + " bytes)");
        }
    }

    /**
     * Parses and validates the header JSON of a file whose data section starts at
     * {@code dataStart} and holds {@code dataLength} bytes.
     */
    static Header parse(Path file, byte[] json, long dataStart, long dataLength) throws SafetensorsException {
        JsonNode root;
        try {
            root = JSON.readTree(new String(json, StandardCharsets.UTF_8).stripTrailing());
        } catch (JsonProcessingException e) {
            throw new SafetensorsException(file, "header is not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new SafetensorsException(file, "header must be a JSON object");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        List<TensorInfo> tensors = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            if (entry.getKey().equals("__metadata__")) {
                readMetadata(file, entry.getValue(), metadata);
            } else {
                tensors.add(readTensor(file, entry.getKey(), entry.getValue()));
            }
        }
        tensors.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        long previousEnd = 0;
        String previous = null;
        for (TensorInfo t : tensors) {
            if (t.begin() < previousEnd) {
                throw new SafetensorsException(file, t.name(), "bytes [" + t.begin() + ", " + t.end()
                        + ") overlap tensor '" + previous + "' ending at " + previousEnd);
            }
            if (t.end() > dataLength) {
                throw new SafetensorsException(file, t.name(), "bytes [" + t.begin() + ", " + t.end()
                        + ") run past the data section of " + dataLength + " bytes");
            }
            previousEnd = t.end();
            previous = t.name();
        }
        return new Header(Collections.unmodifiableList(tensors), Collections.unmodifiableMap(metadata), dataStart);
    }

    private static void readMetadata(Path file, JsonNode node, Map<String, String> out) throws SafetensorsException {
        if (!node.isObject()) {
            throw new SafetensorsException(file, "__metadata__ must be an object of strings");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                throw new SafetensorsException(file, "__metadata__ value '" + e.getKey() + "' must be a string");
            }
            out.put(e.getKey(), e.getValue().textValue());
        }
    }

    private static TensorInfo readTensor(Path file, String name, JsonNode node) throws SafetensorsException {
        if (!node.isObject()) {
            throw new SafetensorsException(file, name, "entry must be an object with dtype, shape and data_offsets");
        }
        JsonNode dtypeNode = node.get("dtype");
        if (dtypeNode == null || !dtypeNode.isTextual()) {
            throw new SafetensorsException(file, name, "missing string field 'dtype'");
        }
        Dtype dtype = Dtype.parse(dtypeNode.textValue());
        if (dtype == null) {
            throw new SafetensorsException(file, name, "unknown dtype '" + dtypeNode.textValue() + "'");
        }
        long[] shape = longs(file, name, node.get("shape"), "shape", -1);
        long[] offsets = longs(file, name, node.get("data_offsets"), "data_offsets", 2);
        long begin = offsets[0];
        long end = offsets[1];
        if (end < begin) {
            throw new SafetensorsException(file, name, "data_offsets [" + begin + ", " + end + "] end before they begin");
        }
        long bytes;
        try {
            long elements = 1;
            for (long d : shape) {
                elements = Math.multiplyExact(elements, d);
            }
            bytes = Math.multiplyExact(elements, (long) dtype.size());
        } catch (ArithmeticException e) {
            throw new SafetensorsException(file, name, "shape " + java.util.Arrays.toString(shape) + " overflows 64 bits");
        }
        if (end - begin != bytes) {
            throw new SafetensorsException(file, name, "data_offsets hold " + (end - begin) + " bytes but "
                    + dtype + java.util.Arrays.toString(shape) + " needs " + bytes);
        }
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    private static long[] longs(Path file, String name, JsonNode node, String field, int length)
            throws SafetensorsException {
        if (node == null || !node.isArray() || (length >= 0 && node.size() != length)) {
            throw new SafetensorsException(file, name, "field '" + field + "' must be an array"
                    + (length >= 0 ? " of " + length + " integers" : " of integers"));
        }
        long[] out = new long[node.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode v = node.get(i);
            if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0) {
                throw new SafetensorsException(file, name, "field '" + field + "' holds " + v
                        + ", not a non-negative 64-bit integer");
            }
            out[i] = v.longValue();
        }
        return out;
    }
}
