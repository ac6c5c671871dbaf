package dev.oplora.train;

import ai.djl.nn.Parameter;
import dev.oplora.adapters.Injector;
import dev.oplora.model.Transformer;
import dev.oplora.task.Dataset;
import dev.oplora.tokenizer.Tokenizer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Everything a step and its hooks see. Mutable: the loop advances it. */
public final class TrainerState {

    public final TrainConfig config;
    public final Transformer model;
    public final Tokenizer tokenizer;
    public final Injector.Injected adapters;
    public final Dataset data;
    public final Rng rng;
    public final AdamW optimizer;
    public final Path outputDir;
    final Map<String, Parameter> trainable;
    final Map<String, Double> stepMetrics = new LinkedHashMap<>();
    int step;
    /** The newest held-out evaluation (kept in checkpoints, so a run resumed at its last step still reports it). */
    Map<String, Double> lastEvaluation = Map.of();
    String stopReason;
    Path lastCheckpoint;

    TrainerState(TrainConfig config, Transformer model, Tokenizer tokenizer, Injector.Injected adapters, Dataset data,
                 Path outputDir) {
        this.config = config;
        this.model = model;
        this.tokenizer = tokenizer;
        this.adapters = adapters;
        this.data = data;
        this.rng = new Rng(config.seed());
        this.optimizer = new AdamW(AdamW.Settings.defaults(config.weightDecay()));
        this.outputDir = outputDir;
        this.trainable = model.trainableParameters();
        if (trainable.isEmpty()) {
            throw new IllegalArgumentException("nothing to train: the model has no trainable parameters and no adapter");
        }
    }

    public int step() {
        return step;
    }

    public Map<String, Parameter> trainable() {
        return trainable;
    }

    /** Metrics of the current step so far; hooks may add their own. */
    public Map<String, Double> stepMetrics() {
        return stepMetrics;
    }

    /** Ends the run after the current callback, with a reason the user will read. */
    public void stop(String reason) {
        if (stopReason == null) {
            stopReason = reason;
        }
    }

    public String stopReason() {
        return stopReason;
    }

    public Path lastCheckpoint() {
        return lastCheckpoint;
    }
}
