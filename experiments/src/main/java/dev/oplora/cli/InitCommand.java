package dev.oplora.cli;

import ai.djl.ndarray.NDManager;
import dev.oplora.adapters.Engines;
import dev.oplora.adapters.Injector;
import dev.oplora.adapters.PeftFiles;
import dev.oplora.adapters.config.AdapterConfig;
import dev.oplora.adapters.config.Method;
import dev.oplora.adapters.config.TargetModules;
import dev.oplora.model.ModelFolder;
import dev.oplora.model.ShardSize;
import dev.oplora.model.Transformer;
import dev.oplora.safetensors.Dtype;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "init", mixinStandardHelpOptions = true,
        description = "Initialise a LoRA-family adapter on a model and write it as a PEFT adapter folder "
                + "(for pissa and milora also the residual base model, in OUT-residual-base).")
final class InitCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, description = "Base model folder.")
    Path model;

    @Option(names = "--method", required = true, completionCandidates = MethodNames.class,
            description = "A low-rank method: ${COMPLETION-CANDIDATES} (sparse and full methods have no init to write).")
    String method;

    @Option(names = "--rank", required = true, description = "Adapter rank r.")
    int rank;

    @Option(names = "--alpha", description = "lora_alpha (default 2r).")
    Double alpha;

    @Option(names = "--principal-rank", defaultValue = "0", description = "k of the protected subspace (0: min(64, min(m,n)/4)).")
    int principalRank;

    @Option(names = "--target", defaultValue = "all-linear", description = "all-linear, a comma list of names, or re:REGEX.")
    String target;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the random parts of the init.")
    long seed;

    @Option(names = "--dtype", description = "Storage of the residual base of pissa / milora: f32, bf16, f16 (default: the base's).")
    String dtype;

    @Option(names = "--out", required = true, description = "Output adapter folder.")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (!(Method.parse(method) instanceof Method.LowRank lowRank)) {
            throw new IllegalArgumentException("--method must be a low-rank method, got '" + method + "'");
        }
        AdapterConfig config = AdapterConfig.lora(lowRank.init(), rank, alpha != null ? alpha : 2.0 * rank,
                TargetModules.parse(target)).withProjected(lowRank.projected()).withDora(lowRank.dora())
                .withA0Norm(lowRank.a0Norm()).withPrincipalRank(principalRank).withSeed(seed);
        Dtype storage = StorageOptions.dtype(dtype, model);
        try (NDManager manager = Engines.newManager()) {
            Transformer base = ModelFolder.load(model, manager, false);
            Injector.Injected injected = Injector.inject(base.linearLayers(), config);
            if (lowRank.init().replacesBase()) {
                // Weights only: the residual folder takes the base's config and tokenizer files as they are.
                Path residual = out.resolveSibling(out.getFileName() + "-residual-base");
                ModelFolder.saveDerived(residual, model, base, storage, false, ShardSize.DEFAULT);
                System.out.println("wrote " + residual + " (base with the adapter's part removed, " + storage.torchName() + ")");
            }
            PeftFiles.save(out, injected, model.toAbsolutePath().toString());
            System.out.println("wrote " + out + " (" + injected.layers().size() + " modules)");
        }
        return 0;
    }
}
