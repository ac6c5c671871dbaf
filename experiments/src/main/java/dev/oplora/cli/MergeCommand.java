package dev.oplora.cli;

import ai.djl.ndarray.NDManager;
import dev.oplora.adapters.DeltaFiles;
import dev.oplora.adapters.Engines;
import dev.oplora.model.ModelFolder;
import dev.oplora.model.ShardSize;
import dev.oplora.model.Transformer;
import dev.oplora.safetensors.Dtype;
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

    @Option(names = "--dtype", description = "f32, bf16, f16 or f64 (default: the base's torch_dtype).")
    String dtype;

    @Option(names = "--max-shard-size", defaultValue = "5GB",
            description = "Largest weight file, as transformers (5GB, 500MB, 2GiB); more become shards with an index.")
    String maxShardSize;

    @Override
    public Integer call() throws Exception {
        Dtype storage = StorageOptions.dtype(dtype, model);
        ShardSize shard = ShardSize.parse(maxShardSize);
        try (NDManager manager = Engines.newManager()) {
            Transformer base = ModelFolder.load(model, manager, false);
            DeltaFiles.loadAny(adapter, base.linearLayers());
            ModelFolder.saveDerived(out, model, base, storage, true, shard);
        }
        System.out.println("wrote " + out + " (" + storage.torchName() + ")");
        return 0;
    }
}
