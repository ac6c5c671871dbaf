package dev.oplora.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.oplora.adapters.Engines;
import dev.oplora.fixtures.Fixtures;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Every case of every file in {@code shared/fixtures/grpo/}: TRL's GRPO objective computed in
 * float64 by an independent implementation of {@code GRPOTrainer._compute_loss}, with gradients
 * by central differences. oplora's {@link GrpoLoss} runs in float64 on DJL and must give the
 * same advantages, loss, d loss / d logps, clip metrics and KL, to 1e-6 relative.
 */
class TrlLossFixtureTest {

    static final double RELATIVE = 1e-6;

    @Test
    void everyTrlCaseMatches() throws Exception {
        int cases = 0;
        for (Path file : Fixtures.entries(Fixtures.folder("grpo"), ".json")) {
            JsonNode root = new ObjectMapper().readTree(file.toFile());
            int index = 0;
            for (JsonNode c : root.path("cases")) {
                check(c, file.getFileName() + " case " + index++);
                cases++;
            }
        }
        assertTrue(cases > 0, "no cases read");
    }

    private static void check(JsonNode c, String label) {
        JsonNode config = c.path("config");
        String where = label + " (" + config.path("loss_type").asText() + ", " + config.path("importance_sampling_level").asText() + ")";
        double[] advantages = GrpoLoss.advantages(doubles(c.path("rewards")), config.path("num_generations").asInt(),
                RewardScaling.parse(config.path("scale_rewards").asText()));
        double[] expectedAdvantages = doubles(c.path("advantages"));
        for (int i = 0; i < advantages.length; i++) {
            assertClose(expectedAdvantages[i], advantages[i], 1, where + " advantage " + i);
        }
        GrpoLoss loss = new GrpoLoss(LossType.parse(config.path("loss_type").asText()),
                ImportanceSamplingLevel.parse(config.path("importance_sampling_level").asText()),
                config.path("epsilon").asDouble(), config.path("epsilon_high").asDouble(),
                config.path("delta").isNull() ? null : config.path("delta").asDouble(), config.path("beta").asDouble(),
                config.path("sapo_temperature_pos").asDouble(), config.path("sapo_temperature_neg").asDouble(),
                config.path("max_completion_length").asInt());
        JsonNode expected = c.path("expected");
        try (NDManager m = Engines.newManager()) {
            NDArray logp = matrix(m, c.path("logps"));
            logp.setRequiresGradient(true);
            NDArray ref = c.path("ref_logps").isNull() ? null : matrix(m, c.path("ref_logps"));
            GrpoLoss.Result result;
            try (GradientCollector collector = m.getEngine().newGradientCollector()) {
                result = loss.compute(logp, matrix(m, c.path("old_logps")), ref,
                        m.create(expectedAdvantages), matrix(m, c.path("mask")), null);
                collector.backward(result.loss());
            }
            assertClose(expected.path("loss").asDouble(), result.loss().getDouble(), 1, where + " loss");
            double[] grad = logp.getGradient().toDoubleArray();
            double[] expectedGrad = flat(expected.path("grad_logps"));
            double scale = 0;
            for (double g : expectedGrad) {
                scale = Math.max(scale, Math.abs(g));
            }
            for (int i = 0; i < grad.length; i++) {
                assertClose(expectedGrad[i], grad[i], scale, where + " d loss / d logps[" + i + "]");
            }
            for (String key : new String[] {"clip_ratio/low_mean", "clip_ratio/high_mean"}) {
                if (expected.path(key).isNull()) {
                    assertFalse(result.metrics().containsKey(key), where + ": " + key + " is not logged for this loss type");
                } else {
                    assertClose(expected.path(key).asDouble(), result.metrics().get(key), 1, where + " " + key);
                }
            }
            assertClose(expected.path("kl").asDouble(), result.metrics().get("kl"), 1, where + " kl");
        }
    }

    /** |actual - expected| <= 1e-6 * max(|expected|, scale): relative, floored at the case's magnitude. */
    private static void assertClose(double expected, double actual, double scale, String what) {
        double tolerance = RELATIVE * Math.max(Math.abs(expected), scale);
        assertEquals(expected, actual, tolerance, what);
    }

    private static NDArray matrix(NDManager m, JsonNode rows) {
        return m.create(flat(rows), new Shape(rows.size(), rows.get(0).size())).toType(DataType.FLOAT64, false);
    }

    private static double[] flat(JsonNode rows) {
        int width = rows.get(0).size();
        double[] out = new double[rows.size() * width];
        for (int i = 0; i < rows.size(); i++) {
            for (int j = 0; j < width; j++) {
                out[i * width + j] = rows.get(i).get(j).asDouble();
            }
        }
        return out;
    }

    private static double[] doubles(JsonNode values) {
        double[] out = new double[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i).asDouble();
        }
        return out;
    }
}
