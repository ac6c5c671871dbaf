package dev.oplora.cli;

import dev.oplora.model.ModelConfig;
import dev.oplora.tokenizer.CharTokenizer;
import dev.oplora.train.Algo;
import dev.oplora.train.LrSchedulerType;
import dev.oplora.train.Runs;
import dev.oplora.train.TrainConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "pretrain", mixinStandardHelpOptions = true,
        description = "Train a small Llama-style base from scratch on the task mixture (SFT); writes OUT/model.")
final class PretrainCommand implements Callable<Integer> {

    /** Defaults: the three tasks at levels 1-3, 3000 steps, batch 64, cosine from 2e-3. */
    static TrainConfig defaults() {
        return TrainConfig.builder().algo(Algo.SFT).tasks(List.of("addition", "multiplication", "expression"))
                .levels(List.of(1, 2, 3)).maxSteps(3000).batchSize(64).learningRate(0.002).warmupSteps(100)
                .lrScheduler(LrSchedulerType.COSINE).loggingSteps(100).testPerLevel(32).maxCompletionLength(6).build();
    }

    @Option(names = "--out", required = true, description = "Output folder (model in OUT/model).")
    Path out;

    /** Without --config: 3000 SFT steps on the task mixture. */
    @Mixin
    TrainOverrides train;

    @Option(names = "--hidden", defaultValue = "96", description = "hidden_size.")
    int hidden;

    @Option(names = "--layers", defaultValue = "3", description = "num_hidden_layers.")
    int layers;

    @Option(names = "--heads", defaultValue = "4", description = "num_attention_heads.")
    int heads;

    @Option(names = "--kv-heads", defaultValue = "2", description = "num_key_value_heads.")
    int kvHeads;

    @Option(names = "--context", defaultValue = "32", description = "max_position_embeddings.")
    int context;

    @Override
    public Integer call() throws Exception {
        TrainConfig config = train.apply(defaults()).algo(Algo.SFT).build();
        ModelConfig model = ModelConfig.llama(CharTokenizer.arithmetic().vocabSize(), hidden, 2 * hidden, layers, heads, kvHeads, context);
        Runs.Result result = Runs.pretrain(model, config, out, true, train.resume);
        System.out.println("wrote " + out.resolve("model") + "; held-out " + Format.metrics(result.evaluation()));
        return result.stopReason() == null ? 0 : 3;
    }
}
