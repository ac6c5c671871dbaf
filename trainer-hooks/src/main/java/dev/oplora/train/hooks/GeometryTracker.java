package dev.oplora.train.hooks;

import dev.oplora.adapters.LinearLayer;
import dev.oplora.adapters.EngineBridge;
import dev.oplora.geometry.BaseAnalysis;
import dev.oplora.geometry.GeometryKeys;
import dev.oplora.geometry.MatrixGeometry;
import dev.oplora.train.TrainerHook;
import dev.oplora.train.TrainerState;
import dev.oplora.safetensors.Dtype;
import dev.oplora.safetensors.SafetensorsFile;
import dev.oplora.safetensors.SafetensorsWriter;
import dev.oplora.safetensors.TensorInfo;
import dev.oplora.svd.RowMajor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Every {@code every} steps, for each tracked linear layer: NSS, the largest principal angle of
 * the top-k left subspace, and bf16 sparsity, all against the layer's weight at step 0. Written
 * into the step's metrics as {@code geometry/<module>/<metric>}, so the metrics log carries them.
 */
public final class GeometryTracker implements TrainerHook {

    static final String REFERENCE = "geometry_reference.safetensors";

    private final int every;
    private final int k;
    private final double alpha;
    private final int maxModules;
    private final Map<String, BaseAnalysis> bases = new LinkedHashMap<>();

    /** Tracks up to {@code maxModules} layers (adapted ones first), principal rank k, mask density alpha. */
    public GeometryTracker(int every, int k, double alpha, int maxModules) {
        this.every = every;
        this.k = k;
        this.alpha = alpha;
        this.maxModules = maxModules;
    }

    @Override
    public void onStart(TrainerState state) {
        if (!bases.isEmpty()) {
            return; // restored from a checkpoint: the reference stays the run's step 0
        }
        Map<String, LinearLayer> layers = state.adapters != null ? state.adapters.layers() : state.model.linearLayers();
        for (Map.Entry<String, LinearLayer> e : layers.entrySet()) {
            if (bases.size() >= maxModules) {
                break;
            }
            try (ai.djl.ndarray.NDArray weight = e.getValue().effectiveWeight()) {
                bases.put(e.getKey(), BaseAnalysis.of(EngineBridge.toNd4j(weight), k, alpha));
            }
        }
    }

    /** The step-0 weights the metrics compare against. */
    @Override
    public void saveState(TrainerState state, Path checkpoint) throws IOException {
        // The file orders tensors by name; the metadata keeps the tracking order, which the log follows.
        SafetensorsWriter writer = new SafetensorsWriter().metadata("modules", String.join(",", bases.keySet()));
        for (Map.Entry<String, BaseAnalysis> e : bases.entrySet()) {
            INDArray w0 = e.getValue().w0();
            writer.add(e.getKey(), Dtype.F32, w0.shape(), RowMajor.floats(w0));
        }
        writer.write(checkpoint.resolve(REFERENCE));
    }

    @Override
    public void restoreState(TrainerState state, Path checkpoint) throws IOException {
        bases.clear();
        try (SafetensorsFile file = SafetensorsFile.open(checkpoint.resolve(REFERENCE))) {
            String modules = file.metadata().get("modules");
            if (modules == null) {
                throw new IllegalArgumentException(checkpoint.resolve(REFERENCE) + ": metadata 'modules' is missing");
            }
            for (String module : modules.split(",")) {
                TensorInfo t = file.info(module);
                INDArray w0 = Nd4j.create(file.readFloats(module), t.shape(), DataType.FLOAT);
                bases.put(module, BaseAnalysis.of(w0, k, alpha));
            }
        }
    }

    @Override
    public void afterOptimizerStep(TrainerState state) {
        if (state.step() % every != 0) {
            return;
        }
        for (Map.Entry<String, BaseAnalysis> e : bases.entrySet()) {
            LinearLayer layer = state.model.linearLayers().get(e.getKey());
            Map<String, Double> values = MatrixGeometry.compare(e.getValue(), EngineBridge.toNd4j(layer.effectiveWeight()))
                    .geometry().summaryValues();
            for (String key : GeometryKeys.TRACKED) {
                state.stepMetrics().put("geometry/" + e.getKey() + "/" + key, values.get(key));
            }
        }
    }
}
