package dev.oplora.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.oplora.adapters.Scalars;
import dev.oplora.model.Generator;
import dev.oplora.task.Example;
import dev.oplora.task.Verifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What one training step computes: a loss, backpropagated into the trainable parameters, and
 * its metrics. The {@link Trainer} does everything around it (hooks, clipping, optimizer).
 */
public sealed interface Algorithm permits Algorithm.Sft, Algorithm.Grpo {

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
                prompts.add(Evaluator.promptIds(s.tokenizer, e));
                targets.add(withEos(s.tokenizer.encode(e.answer()), s.tokenizer.eosId()));
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

        static int[] withEos(int[] ids, int eos) {
            int[] out = java.util.Arrays.copyOf(ids, ids.length + 1);
            out[ids.length] = eos;
            return out;
        }
    }

    /**
     * GRPO: G completions per prompt from the current policy, verifiable rewards, group-relative
     * advantages, the clipped objective of {@link GrpoLoss}; a rollout batch is reused for
     * {@code num_iterations} steps with its stored old log-probs.
     */
    final class Grpo implements Algorithm {

        private Rollout rollout;
        private int uses;

        /** One rollout batch, kept across num_iterations steps (outside any per-step scope). */
        private record Rollout(List<int[]> prompts, List<int[]> completions, double[] advantages, NDArray old,
                               NDArray ref, Map<String, Double> metrics, NDManager manager) {
        }

        @Override
        public Map<String, Double> step(TrainerState s, NDManager scope) {
            TrainConfig c = s.config;
            if (rollout == null || uses >= c.numIterations()) {
                if (rollout != null) {
                    rollout.manager().close();
                }
                rollout = rollout(s);
                uses = 0;
            }
            uses++;
            SequenceBatch batch = SequenceBatch.of(scope, rollout.prompts(), rollout.completions(), s.tokenizer.padId());
            NDArray advantages = scope.create(toFloats(rollout.advantages()));
            GrpoLoss.Result result;
            double entropy;
            try (GradientCollector collector = scope.getEngine().newGradientCollector()) {
                NDArray[] out = batch.completionLogProbs(s.model, true, false, true);
                NDArray logp = out[0];
                NDArray old = rollout.old() != null ? rollout.old() : logp.stopGradient();
                result = GrpoLoss.compute(logp, old, rollout.ref(), advantages, batch.mask(), c.lossType(),
                        c.epsilon(), c.epsilonHigh(), c.beta(), c.maxCompletionLength());
                entropy = batch.maskedMean(out[1].stopGradient());
                collector.backward(result.loss());
            }
            Map<String, Double> metrics = new java.util.LinkedHashMap<>(rollout.metrics());
            metrics.put("loss", (double) result.loss().getFloat());
            metrics.put("kl", result.kl());
            metrics.put("clip_ratio/low_mean", result.clipLow());
            metrics.put("clip_ratio/high_mean", result.clipHigh());
            metrics.put("entropy", entropy);
            metrics.put("num_tokens", (double) batch.completionTokens());
            return metrics;
        }

        private static Rollout rollout(TrainerState s) {
            TrainConfig c = s.config;
            int g = c.numGenerations();
            int promptCount = c.batchSize() / g;
            List<Example> examples = new ArrayList<>();
            List<int[]> prompts = new ArrayList<>();
            for (int i = 0; i < promptCount; i++) {
                Example e = s.data.train(s.rng);
                for (int j = 0; j < g; j++) {
                    examples.add(e);
                    prompts.add(Evaluator.promptIds(s.tokenizer, e));
                }
            }
            Generator generator = new Generator(s.model, s.tokenizer.eosId(), s.tokenizer.padId());
            List<int[]> completions = generator.generate(prompts,
                    new Generator.Sampling(c.maxCompletionLength(), c.temperature(), c.topP(), true), s.rng);
            Verifier verifier = new Verifier(c.formatReward());
            double[] rewards = new double[prompts.size()];
            double length = 0;
            for (int i = 0; i < rewards.length; i++) {
                rewards[i] = verifier.reward(examples.get(i), Evaluator.completionText(s.tokenizer, completions.get(i)));
                length += completions.get(i).length / (double) rewards.length;
            }
            NDManager manager = s.model.manager().newSubManager();
            NDArray old = null;
            NDArray ref = null;
            if (c.numIterations() > 1 || c.beta() > 0) {
                SequenceBatch batch = SequenceBatch.of(manager, prompts, completions, s.tokenizer.padId());
                if (c.numIterations() > 1) {
                    old = batch.completionLogProbs(s.model, false, false, false)[0];
                }
                if (c.beta() > 0) {
                    ref = batch.completionLogProbs(s.model, false, true, false)[0];
                }
            }
            Map<String, Double> metrics = new java.util.LinkedHashMap<>();
            metrics.put("reward", mean(rewards));
            metrics.put("reward_std", GrpoLoss.std(rewards, 0, rewards.length));
            int zero = 0;
            for (int start = 0; start < rewards.length; start += g) {
                zero += GrpoLoss.std(rewards, start, start + g) == 0 ? 1 : 0;
            }
            metrics.put("frac_reward_zero_std", zero / (double) promptCount);
            metrics.put("completions/mean_length", length);
            // The rollout's log-probs serve num_iterations steps: keep them out of the step's scope.
            if (old != null) {
                ai.djl.ndarray.NDScope.unregister(old);
            }
            if (ref != null) {
                ai.djl.ndarray.NDScope.unregister(ref);
            }
            return new Rollout(prompts, completions, GrpoLoss.advantages(rewards, g, c.scaleRewards()), old, ref,
                    metrics, manager);
        }

        private static double mean(double[] x) {
            double sum = 0;
            for (double v : x) {
                sum += v;
            }
            return sum / x.length;
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
