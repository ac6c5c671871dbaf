package dev.oplora.adapters;

import dev.oplora.files.AtomicFiles;
import ai.djl.ndarray.NDArray;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.oplora.adapters.config.AdapterConfig;
import dev.oplora.config.ConfigFiles;
import dev.oplora.adapters.config.AdapterType;
import dev.oplora.adapters.config.TargetModules;
import dev.oplora.mask.Mask;
import dev.oplora.safetensors.Dtype;
import dev.oplora.safetensors.SafetensorsException;
import dev.oplora.safetensors.SafetensorsFile;
import dev.oplora.safetensors.SafetensorsWriter;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Sparse and full deltas on disk: {@code delta_config.json} (an {@link AdapterConfig} with
 * {@code adapter_type} "sparse" or "full" and the explicit module list) and
 * {@code delta_model.safetensors}. A full delta is stored dense as {@code <module>.delta}
 * [out, in]; a sparse one as {@code <module>.delta.indices} (I64 row-major flat indices, the
 * mask), {@code <module>.delta.values} (F32) and {@code <module>.delta.shape} (I64 [2]).
 */
public final class DeltaFiles {

    public static final String CONFIG = "delta_config.json";
    public static final String WEIGHTS = "delta_model.safetensors";

    private DeltaFiles() {
    }

    public static void save(Path dir, Injector.Injected injected) throws IOException {
        SafetensorsWriter writer = new SafetensorsWriter().metadata("format", "oplora-delta");
        for (Map.Entry<String, LinearLayer> e : injected.layers().entrySet()) {
            String module = e.getKey();
            Adapter adapter = e.getValue().adapter();
            if (adapter instanceof SparseAdapter sparse) {
                int[] indices = sparse.mask().indices();
                float[] dense = sparse.deltaWeight(e.getValue().weight()).toFloatArray();
                long[] flat = new long[indices.length];
                float[] values = new float[indices.length];
                for (int i = 0; i < indices.length; i++) {
                    flat[i] = indices[i];
                    values[i] = dense[indices[i]];
                }
                writer.add(module + ".delta.indices", Dtype.I64, new long[] {flat.length}, flat);
                writer.add(module + ".delta.values", Dtype.F32, new long[] {values.length}, values);
                writer.add(module + ".delta.shape", Dtype.I64, new long[] {2},
                        new long[] {sparse.mask().rows(), sparse.mask().cols()});
            } else if (adapter instanceof FullAdapter full) {
                NDArray delta = full.deltaWeight(e.getValue().weight());
                writer.add(module + ".delta", Dtype.F32, delta.getShape().getShape(), delta.toFloatArray());
            } else {
                throw new IllegalArgumentException("module '" + module + "' holds a " + adapter.kind()
                        + " adapter; save LoRA adapters as PEFT files");
            }
        }
        Files.createDirectories(dir);
        writer.write(dir.resolve(WEIGHTS));
        AdapterConfig c = injected.config();
        AdapterConfig exported = AdapterConfig.builder().adapterType(c.adapterType())
                .targetModules(new TargetModules(new ArrayList<>(injected.layers().keySet()), null))
                .principalRank(c.principalRank()).mask(c.mask()).density(c.density()).seed(c.seed())
                .svdSolver(c.svdSolver()).build();
        ObjectNode node = ConfigFiles.JSON.valueToTree(exported);
        node.remove(java.util.List.of("r", "lora_alpha", "use_rslora", "lora_dropout", "init_lora_weights",
                "rank_pattern", "alpha_pattern", "projected", "peft_type"));
        AtomicFiles.writeJson(dir.resolve(CONFIG), node);
    }

    /** Reads any adapter folder oplora writes (PEFT LoRA or sparse / full deltas) and attaches it. */
    public static Injector.Injected loadAny(Path dir, Map<String, LinearLayer> layers) throws IOException {
        if (Files.isRegularFile(dir.resolve(PeftFiles.CONFIG))) {
            return PeftFiles.load(dir, layers);
        }
        if (Files.isRegularFile(dir.resolve(CONFIG))) {
            return load(dir, layers);
        }
        throw new IllegalArgumentException(dir + ": neither " + PeftFiles.CONFIG + " nor " + CONFIG + " found");
    }

    /** Reads a delta folder and attaches its sparse or full adapters to {@code layers}. */
    public static Injector.Injected load(Path dir, Map<String, LinearLayer> layers) throws IOException {
        Path configFile = dir.resolve(CONFIG);
        AdapterConfig config = AdapterConfig.read(configFile);
        Path weights = dir.resolve(WEIGHTS);
        Map<String, LinearLayer> adapted = new LinkedHashMap<>();
        try (SafetensorsFile file = SafetensorsFile.open(weights)) {
            for (String module : Injector.select(layers, config)) {
                LinearLayer layer = layers.get(module);
                float[] dense = new float[Math.toIntExact(layer.outFeatures() * layer.inFeatures())];
                if (config.adapterType() == AdapterType.SPARSE) {
                    long[] shape = file.readLongs(module + ".delta.shape");
                    if (shape.length != 2 || shape[0] != layer.outFeatures() || shape[1] != layer.inFeatures()) {
                        throw new SafetensorsException(weights, module + ".delta.shape", "does not match the layer's "
                                + layer.outFeatures() + "x" + layer.inFeatures() + " weight");
                    }
                    long[] indices = file.readLongs(module + ".delta.indices");
                    float[] values = file.readFloats(module + ".delta.values");
                    if (indices.length != values.length) {
                        throw new SafetensorsException(weights, module + ".delta.values", values.length
                                + " values for " + indices.length + " indices");
                    }
                    int[] flat = new int[indices.length];
                    for (int i = 0; i < indices.length; i++) {
                        if (indices[i] < 0 || indices[i] >= dense.length) {
                            throw new SafetensorsException(weights, module + ".delta.indices", "index " + indices[i]
                                    + " outside the " + dense.length + "-entry weight");
                        }
                        flat[i] = (int) indices[i];
                        dense[flat[i]] = values[i];
                    }
                    Mask mask = Mask.fromIndices(layer.outFeatures(), layer.inFeatures(), flat);
                    SparseAdapter.attach(layer, mask, config.mask()).parameters().get(0).getArray().set(FloatBuffer.wrap(dense));
                } else {
                    float[] values = file.readFloats(module + ".delta");
                    if (values.length != dense.length) {
                        throw new SafetensorsException(weights, module + ".delta", values.length
                                + " values for a " + layer.outFeatures() + "x" + layer.inFeatures() + " weight");
                    }
                    FullAdapter.attach(layer).parameters().get(0).getArray().set(FloatBuffer.wrap(values));
                }
                adapted.put(module, layer);
            }
        }
        return new Injector.Injected(config, adapted);
    }
}
