package dev.oplora.cli;

import dev.oplora.adapters.config.Method;
import dev.oplora.svd.SvdCache;
import dev.oplora.train.Algo;
import dev.oplora.train.Runs;
import dev.oplora.train.TrainConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Fine-tune a base model with an adapter by SFT or GRPO; writes metrics, checkpoints, OUT/adapter and OUT/merged.")
final class TrainCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, description = "Base model folder.")
    Path model;

    @Option(names = "--algo", description = "sft or grpo (overrides the config).")
    Algo algo;

    @Option(names = "--method", completionCandidates = MethodNames.class,
            description = "A method preset (replaces the config's adapter): ${COMPLETION-CANDIDATES}.")
    String method;

    @Option(names = "--rank", defaultValue = "8", description = "Rank for LoRA-family presets.")
    int rank;

    @Option(names = "--density", defaultValue = "0.1", description = "Mask density for sparse presets.")
    double density;

    @Mixin
    TrainOverrides overrides;

    @Option(names = "--svd-cache", description = "Folder of cached SVDs shared across runs.")
    Path svdCache;

    @Option(names = "--out", required = true, description = "Output folder.")
    Path out;

    @Override
    public Integer call() throws Exception {
        TrainConfig.Builder builder = overrides.apply(TrainConfig.defaults());
        if (algo != null) {
            builder.algo(algo);
        }
        TrainConfig train = builder.build();
        if (method != null) {
            train = train.toBuilder().adapter(Method.parse(method).adapter(rank, density, 0, train.seed())).build();
        }
        Runs.Result result = Runs.finetune(model, train, out, svdCache == null ? null : new SvdCache(svdCache), true,
                overrides.resume);
        System.out.println("wrote " + out + "; held-out " + Format.metrics(result.evaluation()));
        if (result.stopReason() != null) {
            System.err.println("stopped: " + result.stopReason());
            return 3;
        }
        return 0;
    }
}
