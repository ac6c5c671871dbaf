package dev.oplora.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The one reader of config files of every kind (adapter, train, grid, model). Jackson's errors
 * become one line that names the file, the config kind and the field, with its path inside
 * nested configs: {@code FILE: train config field 'adapter.r' must be positive, got 0},
 * {@code FILE: unknown grid config field 'method'}.
 */
public final class ConfigFiles {

    /** Strict on unknown fields; a single value reads as a one-element list (as PEFT writes some lists). */
    public static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
            .enable(SerializationFeature.INDENT_OUTPUT);

    private ConfigFiles() {
    }

    /** Reads {@code file} as a {@code kind} ("train config", ...); errors start with the file. */
    public static <T> T read(Path file, Class<T> type, String kind) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, kind + " not found");
        }
        try {
            return JSON.readValue(bytes, type);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + describe(e, kind), e);
        }
    }

    /** Parses JSON text as a {@code kind}. */
    public static <T> T parse(String json, Class<T> type, String kind) {
        try {
            return JSON.readValue(json, type);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new IllegalArgumentException(describe(e, kind), e);
        }
    }

    /**
     * The JSON object in {@code file}, for configs that need a look before they are read as a
     * type (e.g. PEFT's adapter_config.json); errors name the file.
     */
    public static ObjectNode readObject(Path file, String kind) throws IOException {
        JsonNode tree;
        try {
            tree = JSON.readTree(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, kind + " not found");
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(file + ": " + kind + ": not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (!(tree instanceof ObjectNode node)) {
            throw new IllegalArgumentException(file + ": " + kind + " must be a JSON object");
        }
        return node;
    }

    /** Reads a tree that came from {@code file} as a {@code kind}; errors start with the file. */
    public static <T> T fromTree(Path file, JsonNode node, Class<T> type, String kind) {
        try {
            return fromTree(node, type, kind);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /** Reads a JSON tree (a section of a larger file) as a {@code kind}. */
    public static <T> T fromTree(JsonNode node, Class<T> type, String kind) {
        try {
            return JSON.treeToValue(node, type);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new IllegalArgumentException(describe(e, kind), e);
        }
    }

    /**
     * {@code config} with the fields present in {@code overrides} (a partial config of the same
     * kind, e.g. a grid's per-algorithm section) replaced, validated as a whole.
     */
    public static <T> T overlay(T config, JsonNode overrides, Class<T> type, String kind) {
        if (overrides == null || overrides.isNull()) {
            return config;
        }
        if (!overrides.isObject()) {
            throw new IllegalArgumentException(kind + " overrides must be a JSON object, got " + overrides.getNodeType());
        }
        ObjectNode merged = JSON.valueToTree(config);
        merged.setAll((ObjectNode) overrides);
        return fromTree(merged, type, kind);
    }

    /** Indented JSON text of a config. */
    public static String toJson(Object config) {
        try {
            return JSON.writeValueAsString(config);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + config.getClass().getSimpleName() + " as JSON", e);
        }
    }

    /** One line for a failed read: kind, field path and the reason. */
    static String describe(Exception e, String kind) {
        List<String> path = e instanceof JsonMappingException m ? path(m) : List.of();
        if (e instanceof UnrecognizedPropertyException) {
            return "unknown " + kind + " field '" + join(path) + "'";
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
            if (root instanceof FieldException field) {
                return field.describe(kind, fieldPath(path, field.field()));
            }
        }
        if (e instanceof FieldException field) {
            return field.describe(kind, field.field());
        }
        String reason = root instanceof JsonProcessingException j ? j.getOriginalMessage() : root.getMessage();
        return kind + (path.isEmpty() ? "" : " field '" + join(path) + "'") + ": " + reason;
    }

    private static List<String> path(JsonMappingException e) {
        List<String> out = new ArrayList<>();
        for (JsonMappingException.Reference r : e.getPath()) {
            out.add(r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]");
        }
        return out;
    }

    /** The field's full path: the location Jackson reports, ending in the field unless it already does. */
    private static String fieldPath(List<String> path, String field) {
        if (path.isEmpty()) {
            return field;
        }
        String last = path.get(path.size() - 1);
        return last.equals(field) || last.startsWith("[") ? join(path) : join(path) + "." + field;
    }

    private static String join(List<String> path) {
        return String.join(".", path).replace(".[", "[");
    }
}
