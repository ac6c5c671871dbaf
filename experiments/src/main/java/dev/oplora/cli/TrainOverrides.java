package dev.oplora.cli;

import dev.oplora.adapters.ComputeDevice;
import dev.oplora.train.TrainConfig;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The train-config options train and pretrain share: a config file, flags that override it, and --resume. */
final class TrainOverrides {

    @Option(names = "--config", description = "Train config JSON (defaults otherwise).")
    Path config;

    @Option(names = "--steps", description = "Override max_steps.")
    Integer steps;

    @Option(names = "--seed", description = "Override seed.")
    Long seed;

    @Option(names = "--device", description = "cpu, cuda or cuda:N (overrides the config; default cpu).")
    ComputeDevice device;

    @Option(names = "--resume", description = "Continue from the newest complete checkpoint under --out (checkpoints come "
            + "every save_steps); the saved train config must match but for max_steps. Starts over when there is none.")
    boolean resume;

    /** The config file (or {@code defaults}) with the flags that were given applied. */
    TrainConfig.Builder apply(TrainConfig defaults) throws IOException {
        TrainConfig.Builder builder = (config != null ? TrainConfig.read(config) : defaults).toBuilder();
        if (steps != null) {
            builder.maxSteps(steps);
        }
        if (seed != null) {
            builder.seed(seed);
        }
        if (device != null) {
            builder.device(device);
        }
        return builder;
    }
}
