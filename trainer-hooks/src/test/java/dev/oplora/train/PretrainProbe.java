package dev.oplora.train;

import dev.oplora.adapters.Engines;
import dev.oplora.model.ModelConfig;
import dev.oplora.model.Transformer;
import dev.oplora.tokenizer.CharTokenizer;
import java.nio.file.Files;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PretrainProbe {
    @Test
    void probe() throws Exception {
        CharTokenizer tok = CharTokenizer.arithmetic();
        int hidden = Integer.getInteger("probe.hidden", 64);
        int layers = Integer.getInteger("probe.layers", 2);
        int steps = Integer.getInteger("probe.steps", 300);
        ModelConfig mc = ModelConfig.llama(tok.vocabSize(), hidden, hidden * 2, layers, 4, 2, 32);
        try (var manager = Engines.newManager()) {
            Transformer model = Transformer.random(mc, manager, 1, true);
            TrainConfig c = TrainConfig.parse("{\"algo\":\"sft\",\"tasks\":[\"addition\",\"multiplication\",\"expression\"],\"levels\":[1,2,3],"
                    + "\"max_steps\":" + steps + ",\"per_device_train_batch_size\":64,\"learning_rate\":" + System.getProperty("probe.lr", "0.003") + ",\"warmup_steps\":50,"
                    + "\"lr_scheduler_type\":\"cosine\",\"logging_steps\":50,\"eval_steps\":" + steps + ",\"test_per_level\":32}");
            Trainer t = new Trainer(c, model, tok, null, Files.createTempDirectory("probe"));
            t.addHook(new TrainerHook() {
                @Override
                public void onLog(TrainerState s, Map<String, Double> m) {
                    System.out.println("step " + s.step() + " " + m);
                }
            });
            t.addHook(new dev.oplora.train.hooks.NanGuard());
            long start = System.nanoTime();
            Map<String, Double> eval = t.run();
            System.out.println("stop " + t.state().stopReason());
            System.out.println("seconds " + (System.nanoTime() - start) / 1e9 + " eval " + eval);
        }
    }
}
