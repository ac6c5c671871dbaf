package dev.oplora.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.oplora.adapters.Engines;
import dev.oplora.model.ModelConfig;
import dev.oplora.model.Transformer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Completion log-probs as TRL scores them: log-softmax of the logits divided by the sampling temperature. */
class SequenceBatchTest {

    @Test
    void logProbsFollowTheSamplingTemperature() {
        try (NDManager manager = Engines.newManager()) {
            Transformer model = Transformer.random(ModelConfig.llama(12, 16, 32, 1, 2, 1, 16), manager, 4, false);
            int[] prompt = {1, 5, 6};
            int[] completion = {7, 8, 2};
            SequenceBatch batch = SequenceBatch.of(manager, List.of(prompt), List.of(completion), 0);
            float[] hot = batch.completionLogProbs(model, false, false, false, 2.0)[0].toFloatArray();
            float[] plain = batch.completionLogProbs(model, false, false, false)[0].toFloatArray();
            long[] ids = {1, 5, 6, 7, 8, 2};
            float[] logits = model.forward(manager.create(ids, new Shape(1, 6)), false).toFloatArray();
            for (int t = 0; t < completion.length; t++) {
                int row = (prompt.length - 1 + t) * 12;
                for (double temperature : new double[] {1.0, 2.0}) {
                    double max = Double.NEGATIVE_INFINITY;
                    for (int v = 0; v < 12; v++) {
                        max = Math.max(max, logits[row + v] / temperature);
                    }
                    double sum = 0;
                    for (int v = 0; v < 12; v++) {
                        sum += Math.exp(logits[row + v] / temperature - max);
                    }
                    double expected = logits[row + completion[t]] / temperature - max - Math.log(sum);
                    assertEquals(expected, temperature == 1.0 ? plain[t] : hot[t], 1e-5, "token " + t + " at T = " + temperature);
                }
            }
            assertTrue(hot[0] != plain[0], "the temperature changes the log-probs");
        }
    }
}
