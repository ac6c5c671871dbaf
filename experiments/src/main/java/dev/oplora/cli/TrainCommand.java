package dev.oplora.cli;

import dev.oplora.grid.Methods;
import dev.oplora.svd.SvdCache;
import dev.oplora.train.Runs;
import dev.oplora.train.TrainConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Fine-tune a base model with an adapter by SFT or GRPO; writes metrics, checkpoints, OUT/adapter and OUT/merged.")
final class TrainCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, description = "Base model folder.")
    Path model;

    @Option(names = "--algo", description = "sft or grpo (overrides the config).")
    String algo;

    @Option(names = "--method", description = "A method preset (full, lora, pissa, milora, op-lora, op-lora-minor, "
            + "op-lora-projected, sparse-<mask>); used when the config has no adapter.")
    String method;

    @Option(names = "--rank", defaultValue = "8", description = "Rank for LoRA-family presets.")
    int rank;

    @Option(names = "--density", defaultValue = "0.1", description = "Mask density for sparse presets.")
    double density;

    @Option(names = "--config", description = "Train config JSON.")
    Path config;

    @Option(names = "--steps", description = "Override max_steps.")
    Integer steps;

    @Option(names = "--seed", description = "Override seed.")
    Long seed;

    @Option(names = "--svd-cache", description = "Folder of cached SVDs shared across runs.")
    Path svdCache;

    @Option(names = "--out", required = true, description = "Output folder.")
    Path out;

    @Override
    public Integer call() throws Exception {
        TrainConfig train = config != null ? TrainConfig.read(config) : TrainConfig.defaults();
        train = train.with(PretrainCommand.overrides(steps, seed));
        if (algo != null) {
            train = train.with("{\"algo\": \"" + algo + "\"}");
        }
        if (method != null) {
            train = train.with("{\"adapter\": " + Methods.adapter(method, rank, density, 0, train.seed()).toJson() + "}");
        }
        if (train.evalSteps() == 0) {
            train = train.with("{\"eval_steps\": " + train.maxSteps() + "}");
        }
        Runs.Result result = Runs.finetune(model, train, out, svdCache == null ? null : new SvdCache(svdCache), true);
        System.out.println("wrote " + out + "; held-out " + Format.metrics(result.evaluation()));
        if (result.stopReason() != null) {
            System.err.println("stopped: " + result.stopReason());
            return 3;
        }
        return 0;
    }
}
