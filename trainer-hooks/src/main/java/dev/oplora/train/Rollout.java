package dev.oplora.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.oplora.model.Generator;
import dev.oplora.task.Example;
import dev.oplora.task.RewardFunction;
import dev.oplora.task.RewardFunctions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One GRPO generation batch: prompts (each repeated num_generations times), sampled
 * completions, advantages, which completions count in the loss ({@code mask_truncated_completions}
 * drops those that hit max_completion_length without EOS), the log-probs at rollout time when
 * later steps need them ({@code old} for num_iterations > 1, {@code ref} for beta > 0) and the
 * rollout's metrics. Plain Java data, so a checkpoint can hold it and a resumed run reuses it.
 *
 * @param old [B * C] row-major, C = the longest completion, or null
 * @param ref the same for the reference policy, or null
 */
public record Rollout(List<int[]> prompts, List<int[]> completions, double[] advantages, boolean[] counted,
                      float[] old, float[] ref, Map<String, Double> metrics) {

    /** One prompt's G completions with their rewards, per function and weighted. */
    private record Group(Example example, List<int[]> prompts, List<int[]> completions, double[][] scores, double[] total) {
        boolean tied() {
            return GrpoLoss.std(total, 0, total.length) == 0;
        }
    }

    /** {@code mask} with the rows of completions that do not count set to zero. */
    NDArray countedMask(NDArray mask) {
        float[] rows = new float[counted.length];
        boolean all = true;
        for (int i = 0; i < rows.length; i++) {
            rows[i] = counted[i] ? 1f : 0f;
            all &= counted[i];
        }
        return all ? mask : mask.mul(mask.getManager().create(rows, new Shape(rows.length, 1)));
    }

    /** Samples a batch from the current policy (the trainer's RNG drives prompts and sampling). */
    static Rollout sample(TrainerState s, NDManager scope) {
        TrainConfig c = s.config;
        int wanted = c.batchSize() / c.numGenerations();
        List<RewardFunction> functions = c.rewardFuncs().stream().map(n -> RewardFunctions.named(n, c.formatReward())).toList();
        List<Group> kept = new ArrayList<>();
        List<Group> tied = new ArrayList<>();
        int rounds = 0;
        do {
            rounds++;
            for (Group group : groups(s, wanted - kept.size(), functions)) {
                (c.dynamicSampling() && group.tied() ? tied : kept).add(group);
            }
        } while (c.dynamicSampling() && kept.size() < wanted && rounds < c.dynamicSamplingMaxRounds());
        int dropped = tied.size();
        // Out of rounds: the batch is filled with tied groups (zero advantage, no policy gradient).
        while (kept.size() < wanted) {
            kept.add(tied.remove(0));
            dropped--;
        }
        Rollout batch = assemble(s, scope, kept, functions);
        if (c.dynamicSampling()) {
            batch.metrics().put("dynamic_sampling/dropped_groups", (double) dropped);
            batch.metrics().put("dynamic_sampling/rounds", (double) rounds);
        }
        return batch;
    }

    private static List<Group> groups(TrainerState s, int count, List<RewardFunction> functions) {
        TrainConfig c = s.config;
        int g = c.numGenerations();
        List<Example> examples = new ArrayList<>();
        List<int[]> prompts = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Example e = s.data.train(s.rng);
            for (int j = 0; j < g; j++) {
                examples.add(e);
                prompts.add(Evaluator.promptIds(s.tokenizer, e));
            }
        }
        List<int[]> completions = new Generator(s.model, s.tokenizer.stopIds(), s.tokenizer.padId()).generate(prompts,
                new Generator.Sampling(c.maxCompletionLength(), c.temperature(), c.topP(), true), s.rng);
        List<Group> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            double[][] scores = new double[g][functions.size()];
            double[] total = new double[g];
            for (int j = 0; j < g; j++) {
                String text = Evaluator.completionText(s.tokenizer, completions.get(i * g + j));
                for (int f = 0; f < functions.size(); f++) {
                    scores[j][f] = functions.get(f).reward(examples.get(i * g), text);
                    total[j] += c.rewardWeights().get(f) * scores[j][f];
                }
            }
            out.add(new Group(examples.get(i * g), prompts.subList(i * g, (i + 1) * g),
                    completions.subList(i * g, (i + 1) * g), scores, total));
        }
        return out;
    }

    private static Rollout assemble(TrainerState s, NDManager scope, List<Group> groups, List<RewardFunction> functions) {
        TrainConfig c = s.config;
        int g = c.numGenerations();
        List<int[]> prompts = new ArrayList<>();
        List<int[]> completions = new ArrayList<>();
        double[] rewards = new double[groups.size() * g];
        double[][] perFunction = new double[functions.size()][rewards.length];
        for (int i = 0; i < groups.size(); i++) {
            Group group = groups.get(i);
            prompts.addAll(group.prompts());
            completions.addAll(group.completions());
            for (int j = 0; j < g; j++) {
                rewards[i * g + j] = group.total()[j];
                for (int f = 0; f < functions.size(); f++) {
                    perFunction[f][i * g + j] = group.scores()[j][f];
                }
            }
        }
        boolean[] counted = new boolean[completions.size()];
        int truncated = 0;
        for (int i = 0; i < counted.length; i++) {
            int[] completion = completions.get(i);
            boolean cut = completion.length == 0 || !s.tokenizer.isStop(completion[completion.length - 1]);
            truncated += cut ? 1 : 0;
            counted[i] = !(cut && c.maskTruncatedCompletions());
        }
        Map<String, Double> metrics = rewardMetrics(rewards, g, c.scaleRewards());
        for (int f = 0; f < functions.size(); f++) {
            metrics.put("rewards/" + functions.get(f).name() + "/mean", Arrays.stream(perFunction[f]).average().orElse(0));
            metrics.put("rewards/" + functions.get(f).name() + "/std", GrpoLoss.std(perFunction[f], 0, rewards.length));
        }
        int[] lengths = completions.stream().mapToInt(x -> x.length).toArray();
        metrics.put("completions/mean_length", Arrays.stream(lengths).average().orElse(0));
        metrics.put("completions/min_length", (double) Arrays.stream(lengths).min().orElse(0));
        metrics.put("completions/max_length", (double) Arrays.stream(lengths).max().orElse(0));
        metrics.put("completions/clipped_ratio", truncated / (double) lengths.length);
        float[] old = null;
        float[] ref = null;
        if (c.numIterations() > 1 || c.beta() > 0) {
            SequenceBatch batch = SequenceBatch.of(scope, prompts, completions, s.tokenizer.padId());
            if (c.numIterations() > 1) {
                old = batch.completionLogProbs(s.model, false, false, false, c.temperature())[0].toFloatArray();
            }
            if (c.beta() > 0) {
                ref = batch.completionLogProbs(s.model, false, true, false, c.temperature())[0].toFloatArray();
            }
        }
        return new Rollout(prompts, completions, GrpoLoss.advantages(rewards, g, c.scaleRewards()), counted, old, ref, metrics);
    }

    /**
     * TRL's reward metrics: the mean, {@code reward_std} (the mean of the group stds, or the batch
     * std under batch scaling) and the share of groups whose rewards all tie.
     */
    private static Map<String, Double> rewardMetrics(double[] rewards, int g, RewardScaling scale) {
        Map<String, Double> metrics = new LinkedHashMap<>();
        int groups = rewards.length / g;
        double groupStds = 0;
        int zero = 0;
        for (int start = 0; start < rewards.length; start += g) {
            double std = GrpoLoss.std(rewards, start, start + g);
            groupStds += std / groups;
            zero += std == 0 ? 1 : 0;
        }
        metrics.put("reward", Arrays.stream(rewards).average().orElse(0));
        metrics.put("reward_std", scale == RewardScaling.BATCH ? GrpoLoss.std(rewards, 0, rewards.length) : groupStds);
        metrics.put("frac_reward_zero_std", zero / (double) groups);
        return metrics;
    }
}
