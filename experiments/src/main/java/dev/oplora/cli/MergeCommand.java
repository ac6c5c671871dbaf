package dev.oplora.cli;

import ai.djl.ndarray.NDManager;
import dev.oplora.adapters.DeltaFiles;
import dev.oplora.adapters.Engines;
import dev.oplora.model.ModelFolder;
import dev.oplora.model.Transformer;
import dev.oplora.safetensors.Dtype;
import dev.oplora.tokenizer.Tokenizer;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "merge", mixinStandardHelpOptions = true,
        description = "Merge an adapter folder (PEFT LoRA, or oplora sparse / full deltas) into its base and write a model folder.")
final class MergeCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, description = "Base model folder.")
    Path model;

    @Option(names = "--adapter", required = true, description = "Adapter folder (adapter_config.json or delta_config.json).")
    Path adapter;

    @Option(names = "--out", required = true, description = "Output model folder.")
    Path out;

    @Option(names = "--dtype", defaultValue = "f32", description = "f32 or bf16.")
    String dtype;

    @Override
    public Integer call() throws Exception {
        Dtype storage = switch (dtype.toLowerCase(java.util.Locale.ROOT)) {
            case "f32", "float32" -> Dtype.F32;
            case "bf16", "bfloat16" -> Dtype.BF16;
            default -> throw new IllegalArgumentException("--dtype must be f32 or bf16, got '" + dtype + "'");
        };
        try (NDManager manager = Engines.newManager()) {
            Transformer base = ModelFolder.load(model, manager, false);
            DeltaFiles.loadAny(adapter, base.linearLayers());
            ModelFolder.save(out, base, Tokenizer.load(model), storage);
        }
        System.out.println("wrote " + out);
        return 0;
    }
}
