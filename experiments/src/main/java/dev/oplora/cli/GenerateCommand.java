package dev.oplora.cli;

import ai.djl.ndarray.NDManager;
import dev.oplora.adapters.ComputeDevice;
import dev.oplora.adapters.DeltaFiles;
import dev.oplora.adapters.Engines;
import dev.oplora.model.Generator;
import dev.oplora.model.ModelFolder;
import dev.oplora.model.Transformer;
import dev.oplora.tokenizer.Tokenizer;
import dev.oplora.train.Rng;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "generate", mixinStandardHelpOptions = true, description = "Complete a prompt with a model (and optionally an adapter).")
final class GenerateCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, description = "Model folder.")
    Path model;

    @Option(names = "--adapter", description = "Adapter folder to apply.")
    Path adapter;

    @Option(names = "--prompt", required = true, description = "Prompt text, e.g. 12+34=.")
    String prompt;

    @Option(names = "--greedy", description = "Greedy decoding (default: temperature sampling).")
    boolean greedy;

    @Option(names = "--temperature", defaultValue = "1.0", description = "Sampling temperature.")
    double temperature;

    @Option(names = "--top-p", defaultValue = "1.0", description = "Nucleus mass.")
    double topP;

    @Option(names = "--max-new-tokens", defaultValue = "16", description = "Tokens to generate at most.")
    int maxNewTokens;

    @Option(names = "--seed", defaultValue = "0", description = "Sampling seed.")
    long seed;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu, cuda or cuda:N.")
    ComputeDevice device;

    @Override
    public Integer call() throws Exception {
        try (NDManager manager = Engines.newManager(device)) {
            Transformer m = ModelFolder.load(model, manager, false);
            if (adapter != null) {
                DeltaFiles.loadAny(adapter, m.linearLayers());
            }
            Tokenizer tokenizer = Tokenizer.load(model);
            int[] body = tokenizer.encode(prompt);
            int[] ids = new int[body.length + 1];
            ids[0] = tokenizer.bosId();
            System.arraycopy(body, 0, ids, 1, body.length);
            Generator.Sampling sampling = new Generator.Sampling(maxNewTokens, greedy ? 0 : temperature, topP, true);
            int[] out = new Generator(m, tokenizer.eosId(), tokenizer.padId()).generate(List.of(ids), sampling, new Rng(seed)).get(0);
            System.out.println(prompt + dev.oplora.train.Evaluator.completionText(tokenizer, out));
        }
        return 0;
    }
}
