package dev.oplora.cli;

import dev.oplora.model.ModelConfig;
import dev.oplora.tokenizer.CharTokenizer;
import dev.oplora.train.Runs;
import dev.oplora.train.TrainConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "pretrain", mixinStandardHelpOptions = true,
        description = "Train a small Llama-style base from scratch on the task mixture (SFT); writes OUT/model.")
final class PretrainCommand implements Callable<Integer> {

    /** Defaults: the three tasks at levels 1-3, 3000 steps, batch 64, cosine from 2e-3. */
    static final String DEFAULTS = "{\"algo\": \"sft\", \"tasks\": [\"addition\", \"multiplication\", \"expression\"],"
            + " \"levels\": [1, 2, 3], \"max_steps\": 3000, \"per_device_train_batch_size\": 64, \"learning_rate\": 0.002,"
            + " \"warmup_steps\": 100, \"lr_scheduler_type\": \"cosine\", \"logging_steps\": 100, \"test_per_level\": 32,"
            + " \"max_completion_length\": 6}";

    @Option(names = "--out", required = true, description = "Output folder (model in OUT/model).")
    Path out;

    @Option(names = "--config", description = "Train config JSON (defaults: " + "3000 SFT steps on the task mixture).")
    Path config;

    @Option(names = "--steps", description = "Override max_steps.")
    Integer steps;

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

    @Option(names = "--seed", description = "Override seed.")
    Long seed;

    @Override
    public Integer call() throws Exception {
        TrainConfig train = config != null ? TrainConfig.read(config) : TrainConfig.parse(DEFAULTS);
        train = train.with(overrides(steps, seed)).with("{\"algo\": \"sft\"}");
        if (train.evalSteps() == 0) {
            train = train.with("{\"eval_steps\": " + train.maxSteps() + "}");
        }
        ModelConfig model = ModelConfig.llama(CharTokenizer.arithmetic().vocabSize(), hidden, 2 * hidden, layers, heads, kvHeads, context);
        Runs.Result result = Runs.pretrain(model, train, out, true);
        System.out.println("wrote " + out.resolve("model") + "; held-out " + Format.metrics(result.evaluation()));
        return result.stopReason() == null ? 0 : 3;
    }

    static String overrides(Integer steps, Long seed) {
        StringBuilder json = new StringBuilder("{");
        if (steps != null) {
            json.append("\"max_steps\": ").append(steps);
        }
        if (seed != null) {
            json.append(json.length() > 1 ? ", " : "").append("\"seed\": ").append(seed);
        }
        return json.append("}").toString();
    }
}
