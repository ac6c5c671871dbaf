package dev.oplora.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.oplora.adapters.Scalars;
import dev.oplora.task.Example;
import dev.oplora.tokenizer.PromptCompletion;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What one training step computes: a loss, backpropagated into the trainable parameters, and
 * its metrics. The {@link Trainer} does everything around it (hooks, clipping, optimizer).
 */
public sealed interface Algorithm extends CheckpointPart permits Algorithm.Sft, Algorithm.Grpo {

    /** Forward and backward for one step; returns the step's metrics. */
    Map<String, Double> step(TrainerState s, NDManager scope);

    static Algorithm of(TrainConfig config) {
        return switch (config.algo()) {
            case SFT -> new Sft();
            case GRPO -> new Grpo();
        };
    }

    /** Supervised fine-tuning: cross-entropy on the completion tokens (answer + EOS) only. */
    final class Sft implements Algorithm {
        @Override
        public Map<String, Double> step(TrainerState s, NDManager scope) {
            List<int[]> prompts = new ArrayList<>();
            List<int[]> targets = new ArrayList<>();
            for (int i = 0; i < s.config.batchSize(); i++) {
                Example e = s.data.train(s.rng);
                PromptCompletion ids = s.tokenizer.encodeExample(e.prompt(), e.answer());
                prompts.add(ids.prompt());
                targets.add(ids.completion());
            }
            SequenceBatch batch = SequenceBatch.of(scope, prompts, targets, s.tokenizer.padId());
            double loss;
            try (GradientCollector collector = scope.getEngine().newGradientCollector()) {
                NDArray logp = batch.completionLogProbs(s.model, true, false, false)[0];
                NDArray nll = Scalars.div(logp.mul(batch.mask()).sum().neg(), batch.completionTokens());
                loss = nll.getFloat();
                collector.backward(nll);
            }
            return Map.of("loss", loss, "num_tokens", (double) batch.completionTokens());
        }
    }

    /**
     * GRPO: G completions per prompt from the current policy, weighted verifiable rewards,
     * group-relative advantages, the objective of {@link GrpoLoss}; a rollout batch is reused for
     * {@code num_iterations} steps with its stored old log-probs. With {@code dynamic_sampling}
     * (DAPO) groups whose rewards all tie are dropped and more prompts sampled, up to
     * {@code dynamic_sampling_max_rounds} generation rounds, before the batch is trained on.
     */
    final class Grpo implements Algorithm {

        private Rollout rollout;
        private int uses;

        @Override
        public Map<String, Double> step(TrainerState s, NDManager scope) {
            TrainConfig c = s.config;
            if (rollout == null || uses >= c.numIterations()) {
                rollout = Rollout.sample(s, scope);
                uses = 0;
            }
            uses++;
            SequenceBatch batch = SequenceBatch.of(scope, rollout.prompts(), rollout.completions(), s.tokenizer.padId());
            NDArray mask = rollout.countedMask(batch.mask());
            NDArray advantages = scope.create(toFloats(rollout.advantages()));
            GrpoLoss.Result result;
            double entropy;
            try (GradientCollector collector = scope.getEngine().newGradientCollector()) {
                NDArray[] out = batch.completionLogProbs(s.model, true, false, true, c.temperature());
                NDArray logp = out[0];
                NDArray old = rollout.old() != null ? scope.create(rollout.old(), logp.getShape()) : logp.stopGradient();
                NDArray ref = rollout.ref() != null ? scope.create(rollout.ref(), logp.getShape()) : null;
                NDArray entropies = out[1].stopGradient();
                NDArray entropyMask = GrpoLoss.entropyMask(entropies, mask, c.topEntropyQuantile());
                // dapo and cispo divide by every completion token of the batch, truncated ones included (TRL's num_items_in_batch).
                result = GrpoLoss.of(c).compute(logp, old, ref, advantages, mask, entropyMask, batch.completionTokens());
                entropy = maskedMean(entropies, mask);
                collector.backward(result.loss());
            }
            Map<String, Double> metrics = new java.util.LinkedHashMap<>(rollout.metrics());
            metrics.put("loss", (double) result.loss().getFloat());
            metrics.putAll(result.metrics());
            metrics.put("entropy", entropy);
            metrics.put("num_tokens", (double) batch.completionTokens());
            return metrics;
        }

        /** The rollout later steps reuse, and how often it has been used, go into the checkpoint. */
        @Override
        public void saveState(TrainerState s, java.nio.file.Path checkpoint) throws java.io.IOException {
            if (rollout != null) {
                dev.oplora.files.AtomicFiles.writeJson(checkpoint.resolve(ROLLOUT), new SavedRollout(uses, rollout));
            }
        }

        @Override
        public void restoreState(TrainerState s, java.nio.file.Path checkpoint) throws java.io.IOException {
            java.nio.file.Path file = checkpoint.resolve(ROLLOUT);
            if (java.nio.file.Files.isRegularFile(file)) {
                SavedRollout saved = dev.oplora.config.ConfigFiles.read(file, SavedRollout.class, "saved rollout");
                rollout = saved.rollout();
                uses = saved.uses();
            } else {
                rollout = null;
                uses = 0;
            }
        }

        static final String ROLLOUT = "rollout.json";

        /** A rollout and how many steps have used it. */
        record SavedRollout(@com.fasterxml.jackson.annotation.JsonProperty("uses") int uses,
                            @com.fasterxml.jackson.annotation.JsonProperty("rollout") Rollout rollout) {
        }

        private static double maskedMean(NDArray x, NDArray mask) {
            double tokens = mask.sum().getFloat();
            return tokens == 0 ? 0 : x.mul(mask).sum().getFloat() / tokens;
        }

        private static float[] toFloats(double[] x) {
            float[] out = new float[x.length];
            for (int i = 0; i < x.length; i++) {
                out[i] = (float) x[i];
            }
            return out;
        }
    }
}
