package dev.oplora.train.hooks;

import dev.oplora.adapters.LinearLayer;
import dev.oplora.adapters.EngineBridge;
import dev.oplora.geometry.BaseAnalysis;
import dev.oplora.geometry.GeometryKeys;
import dev.oplora.geometry.MatrixGeometry;
import dev.oplora.train.TrainerHook;
import dev.oplora.train.TrainerState;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every {@code every} steps, for each tracked linear layer: NSS, the largest principal angle of
 * the top-k left subspace, and bf16 sparsity, all against the layer's weight at step 0. Written
 * into the step's metrics as {@code geometry/<module>/<metric>}, so the metrics log carries them.
 */
public final class GeometryTracker implements TrainerHook {

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
        Map<String, LinearLayer> layers = state.adapters != null ? state.adapters.layers() : state.model.linearLayers();
        for (Map.Entry<String, LinearLayer> e : layers.entrySet()) {
            if (bases.size() >= maxModules) {
                break;
            }
            bases.put(e.getKey(), BaseAnalysis.of(EngineBridge.toNd4j(e.getValue().effectiveWeight()), k, alpha));
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
