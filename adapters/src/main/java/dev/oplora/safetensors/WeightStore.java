package dev.oplora.safetensors;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tensors of a checkpoint: one safetensors file, a Hugging Face model folder with
 * {@code model.safetensors}, or a sharded folder with {@code model.safetensors.index.json}.
 * Shards are opened once and read tensor by tensor.
 */
public final class WeightStore implements AutoCloseable {

    public static final String SINGLE_FILE = "model.safetensors";
    public static final String INDEX_FILE = "model.safetensors.index.json";

    private final Path source;
    private final Map<String, SafetensorsFile> fileOf = new LinkedHashMap<>();
    private final List<SafetensorsFile> files = new ArrayList<>();

    private WeightStore(Path source) {
        this.source = source;
    }

    /** Opens a file or a model folder; every shard's header is validated now. */
    public static WeightStore open(Path path) throws IOException {
        WeightStore store = new WeightStore(path);
        try {
            if (Files.isRegularFile(path)) {
                store.addFile(path);
            } else if (Files.isRegularFile(path.resolve(SINGLE_FILE))) {
                store.addFile(path.resolve(SINGLE_FILE));
            } else if (Files.isRegularFile(path.resolve(INDEX_FILE))) {
                store.addShards(path.resolve(INDEX_FILE));
            } else if (Files.isDirectory(path)) {
                throw new SafetensorsException(path, "folder has neither " + SINGLE_FILE + " nor " + INDEX_FILE);
            } else {
                throw new SafetensorsException(path, "no such file or folder");
            }
            return store;
        } catch (IOException | RuntimeException e) {
            store.close();
            throw e;
        }
    }

    private void addFile(Path file) throws IOException {
        SafetensorsFile f = SafetensorsFile.open(file);
        files.add(f);
        for (TensorInfo t : f.tensors()) {
            fileOf.put(t.name(), f);
        }
    }

    private void addShards(Path index) throws IOException {
        JsonNode root;
        try {
            root = Header.JSON.readTree(index.toFile());
        } catch (IOException e) {
            throw new SafetensorsException(index, "index is not valid JSON: " + e.getMessage());
        }
        JsonNode map = root == null ? null : root.get("weight_map");
        if (map == null || !map.isObject()) {
            throw new SafetensorsException(index, "missing object 'weight_map'");
        }
        Map<String, SafetensorsFile> shards = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String shardName = e.getValue().asText();
            Path shardPath = index.resolveSibling(shardName).normalize();
            if (!shardPath.getParent().equals(index.getParent().normalize())) {
                throw new SafetensorsException(index, e.getKey(), "shard '" + shardName + "' lies outside the model folder");
            }
            SafetensorsFile shard = shards.get(shardName);
            if (shard == null) {
                if (!Files.isRegularFile(shardPath)) {
                    throw new SafetensorsException(index, e.getKey(), "shard '" + shardName + "' does not exist");
                }
                shard = SafetensorsFile.open(shardPath);
                shards.put(shardName, shard);
                files.add(shard);
            }
            if (!shard.contains(e.getKey())) {
                throw new SafetensorsException(shardPath, e.getKey(), "listed in " + index.getFileName() + " but missing from the shard");
            }
            fileOf.put(e.getKey(), shard);
        }
    }

    public Path source() {
        return source;
    }

    /** Tensor names, in file and data order. */
    public List<String> names() {
        return Collections.unmodifiableList(new ArrayList<>(fileOf.keySet()));
    }

    public boolean contains(String name) {
        return fileOf.containsKey(name);
    }

    public TensorInfo info(String name) throws SafetensorsException {
        return file(name).info(name);
    }

    public float[] readFloats(String name) throws IOException {
        return file(name).readFloats(name);
    }

    /** The file holding {@code name}. */
    public SafetensorsFile file(String name) throws SafetensorsException {
        SafetensorsFile f = fileOf.get(name);
        if (f == null) {
            throw new SafetensorsException(source, name, "not in this checkpoint");
        }
        return f;
    }

    @Override
    public void close() throws IOException {
        IOException failure = null;
        for (SafetensorsFile f : files) {
            try {
                f.close();
            } catch (IOException e) {
                failure = e;
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
