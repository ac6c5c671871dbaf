package dev.oplora.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.oplora.adapters.Engines;
import dev.oplora.model.ModelConfig;
import dev.oplora.model.Transformer;
import dev.oplora.task.Dataset;
import dev.oplora.task.Example;
import dev.oplora.task.Task;
import dev.oplora.tokenizer.CharTokenizer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Same seed, same weights: three identical AdamW runs in one JVM must agree bit for bit and stay
 * finite. This guards against constants in the autograd graph whose memory is freed before the
 * backward pass (see {@link dev.oplora.adapters.Scalars}); with them, runs diverged at random
 * steps and some turned NaN.
 */
class TrainDeterminismTest {

    static float[] train() {
        CharTokenizer tok = CharTokenizer.arithmetic();
        ModelConfig config = ModelConfig.llama(tok.vocabSize(), 64, 128, 3, 4, 2, 32);
        try (NDManager manager = Engines.newManager()) {
            Transformer model = Transformer.random(config, manager, 1, true);
            Dataset data = new Dataset(List.of(new Task.Addition(), new Task.Expression()), List.of(1, 2), 8, 1);
            Rng rng = new Rng(5);
            var params = model.trainableParameters();
            AdamW adam = new AdamW(AdamW.Settings.defaults(0.01));
            for (int step = 0; step < 40; step++) {
                List<int[]> prompts = new ArrayList<>();
                List<int[]> targets = new ArrayList<>();
                for (int i = 0; i < 32; i++) {
                    Example e = data.train(rng);
                    prompts.add(Evaluator.promptIds(tok, e));
                    targets.add(tok.encodeCompletion(e.prompt(), e.answer()));
                }
                try (NDManager scope = manager.newSubManager()) {
                    SequenceBatch batch = SequenceBatch.of(scope, prompts, targets, tok.padId());
                    try (GradientCollector c = scope.getEngine().newGradientCollector()) {
                        NDArray logp = batch.completionLogProbs(model, true, false, false)[0];
                        c.backward(logp.mul(batch.mask()).sum().neg().div((float) batch.completionTokens()));
                    }
                    System.gc(); // invite the collector to free whatever the graph should not depend on
                    Gradients.clipGlobalNorm(params, 1.0);
                    adam.step(params, 0.003);
                    Gradients.zero(params);
                }
            }
            return params.get("model.layers.0.self_attn.q_proj.weight").getArray().toFloatArray();
        }
    }

    @Test
    void identicalRunsGiveIdenticalWeights() {
        float[] first = train();
        for (float v : first) {
            assertTrue(Float.isFinite(v));
        }
        assertArrayEquals(first, train(), 0f);
        assertArrayEquals(first, train(), 0f);
    }
}
