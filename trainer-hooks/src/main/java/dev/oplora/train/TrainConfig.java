package dev.oplora.train;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import dev.oplora.adapters.ComputeDevice;
import dev.oplora.adapters.config.AdapterConfig;
import dev.oplora.config.ConfigFiles;
import dev.oplora.config.FieldException;
import dev.oplora.task.RewardFunctions;
import dev.oplora.task.Task;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A training run, with TRL's names where TRL has the setting. For GRPO,
 * {@code per_device_train_batch_size} counts completions (prompts x num_generations), as in TRL.
 * Every field has a default, set here and nowhere else; a field that does not exist is an error
 * naming it. Change fields through {@link #toBuilder()}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TrainConfig(
        @JsonProperty("algo") Algo algo,
        @JsonProperty("tasks") List<String> tasks,
        @JsonProperty("levels") List<Integer> levels,
        @JsonProperty("test_per_level") Integer testPerLevel,
        @JsonProperty("max_steps") Integer maxSteps,
        @JsonProperty("per_device_train_batch_size") Integer batchSize,
        @JsonProperty("learning_rate") Double learningRate,
        @JsonProperty("weight_decay") Double weightDecay,
        @JsonProperty("max_grad_norm") Double maxGradNorm,
        @JsonProperty("warmup_steps") Integer warmupSteps,
        @JsonProperty("lr_scheduler_type") LrSchedulerType lrScheduler,
        @JsonProperty("seed") Long seed,
        @JsonProperty("logging_steps") Integer loggingSteps,
        @JsonProperty("eval_steps") Integer evalSteps,
        @JsonProperty("save_steps") Integer saveSteps,
        @JsonProperty("save_total_limit") Integer saveTotalLimit,
        @JsonProperty("num_generations") Integer numGenerations,
        @JsonProperty("max_completion_length") Integer maxCompletionLength,
        @JsonProperty("temperature") Double temperature,
        @JsonProperty("top_p") Double topP,
        @JsonProperty("beta") Double beta,
        @JsonProperty("epsilon") Double epsilon,
        @JsonProperty("epsilon_high") Double epsilonHigh,
        @JsonProperty("loss_type") LossType lossType,
        @JsonProperty("scale_rewards") RewardScaling scaleRewards,
        @JsonProperty("num_iterations") Integer numIterations,
        @JsonProperty("importance_sampling_level") ImportanceSamplingLevel importanceSamplingLevel,
        @JsonProperty("delta") Double delta,
        @JsonProperty("sapo_temperature_pos") Double sapoTemperaturePos,
        @JsonProperty("sapo_temperature_neg") Double sapoTemperatureNeg,
        @JsonProperty("top_entropy_quantile") Double topEntropyQuantile,
        @JsonProperty("mask_truncated_completions") Boolean maskTruncatedCompletions,
        @JsonProperty("reward_funcs") List<String> rewardFuncs,
        @JsonProperty("reward_weights") List<Double> rewardWeights,
        @JsonProperty("dynamic_sampling") Boolean dynamicSampling,
        @JsonProperty("dynamic_sampling_max_rounds") Integer dynamicSamplingMaxRounds,
        @JsonProperty("format_reward") Double formatReward,
        @JsonProperty("adapter") AdapterConfig adapter,
        @JsonProperty("projection_on") ProjectionSide projectionOn,
        @JsonProperty("bf16_storage") Boolean bf16Storage,
        @JsonProperty("geometry_steps") Integer geometrySteps,
        @JsonProperty("pass_at_k") Integer passAtK,
        @JsonProperty("device") ComputeDevice device,
        @JsonProperty("chat_template") Boolean chatTemplate,
        @JsonProperty("chat_template_kwargs") Map<String, Object> chatTemplateKwargs) {

    /** What {@link ConfigFiles} calls this kind of config in errors. */
    public static final String KIND = "train config";

    public TrainConfig {
        algo = algo == null ? Algo.GRPO : algo;
        tasks = tasks == null ? List.of("addition") : List.copyOf(tasks);
        levels = levels == null ? List.of(1, 2) : List.copyOf(levels);
        testPerLevel = testPerLevel == null ? 64 : testPerLevel;
        maxSteps = maxSteps == null ? 100 : maxSteps;
        batchSize = batchSize == null ? 32 : batchSize;
        learningRate = learningRate == null ? 1e-4 : learningRate;
        weightDecay = weightDecay == null ? 0.0 : weightDecay;
        maxGradNorm = maxGradNorm == null ? 1.0 : maxGradNorm;
        warmupSteps = warmupSteps == null ? 0 : warmupSteps;
        lrScheduler = lrScheduler == null ? LrSchedulerType.CONSTANT : lrScheduler;
        seed = seed == null ? 42L : seed;
        loggingSteps = loggingSteps == null ? 10 : loggingSteps;
        evalSteps = evalSteps == null ? 0 : evalSteps;
        saveSteps = saveSteps == null ? 0 : saveSteps;
        saveTotalLimit = saveTotalLimit == null ? 2 : saveTotalLimit;
        numGenerations = numGenerations == null ? 8 : numGenerations;
        maxCompletionLength = maxCompletionLength == null ? 8 : maxCompletionLength;
        temperature = temperature == null ? 1.0 : temperature;
        topP = topP == null ? 1.0 : topP;
        beta = beta == null ? 0.0 : beta;
        epsilon = epsilon == null ? 0.2 : epsilon;
        epsilonHigh = epsilonHigh == null ? epsilon : epsilonHigh;
        lossType = lossType == null ? LossType.DAPO : lossType;
        scaleRewards = scaleRewards == null ? RewardScaling.GROUP : scaleRewards;
        numIterations = numIterations == null ? 1 : numIterations;
        importanceSamplingLevel = importanceSamplingLevel == null ? ImportanceSamplingLevel.TOKEN : importanceSamplingLevel;
        sapoTemperaturePos = sapoTemperaturePos == null ? 1.0 : sapoTemperaturePos;
        sapoTemperatureNeg = sapoTemperatureNeg == null ? 1.05 : sapoTemperatureNeg;
        topEntropyQuantile = topEntropyQuantile == null ? 1.0 : topEntropyQuantile;
        maskTruncatedCompletions = maskTruncatedCompletions != null && maskTruncatedCompletions;
        rewardFuncs = rewardFuncs == null ? List.of(RewardFunctions.ACCURACY) : List.copyOf(rewardFuncs);
        rewardWeights = rewardWeights == null ? java.util.Collections.nCopies(rewardFuncs.size(), 1.0) : List.copyOf(rewardWeights);
        dynamicSampling = dynamicSampling != null && dynamicSampling;
        dynamicSamplingMaxRounds = dynamicSamplingMaxRounds == null ? 4 : dynamicSamplingMaxRounds;
        formatReward = formatReward == null ? 0.0 : formatReward;
        projectionOn = projectionOn == null ? ProjectionSide.PARAMETERS : projectionOn;
        bf16Storage = bf16Storage != null && bf16Storage;
        geometrySteps = geometrySteps == null ? 0 : geometrySteps;
        passAtK = passAtK == null ? 0 : passAtK;
        device = device == null ? ComputeDevice.CPU : device;
        chatTemplate = chatTemplate != null && chatTemplate;
        chatTemplateKwargs = chatTemplateKwargs == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(chatTemplateKwargs));
        FieldException.require(chatTemplate || chatTemplateKwargs.isEmpty(), "chat_template_kwargs",
                "is set but chat_template is false; set \"chat_template\": true to format prompts with the model's chat template");
        for (String t : tasks) {
            try {
                Task.parse(t);
            } catch (IllegalArgumentException e) {
                throw new FieldException("tasks", ": " + e.getMessage());
            }
        }
        FieldException.require(!tasks.isEmpty() && !levels.isEmpty(), "tasks", "and levels must not be empty");
        FieldException.require(maxSteps > 0, "max_steps", "must be positive, got " + maxSteps);
        FieldException.require(batchSize > 0, "per_device_train_batch_size", "must be positive, got " + batchSize);
        FieldException.require(numGenerations >= 2, "num_generations",
                "must be at least 2 (advantages compare completions of one prompt), got " + numGenerations);
        FieldException.require(algo != Algo.GRPO || batchSize % numGenerations == 0, "per_device_train_batch_size",
                "(" + batchSize + ") must be a multiple of num_generations (" + numGenerations + ")");
        FieldException.require(maxCompletionLength > 0, "max_completion_length", "must be positive");
        FieldException.require(epsilon >= 0 && epsilonHigh >= 0, "epsilon", "and epsilon_high must be >= 0");
        FieldException.require(beta >= 0, "beta", "must be >= 0");
        FieldException.require(numIterations >= 1, "num_iterations", "must be >= 1");
        FieldException.require(delta == null || delta > 1, "delta", "must be > 1 (a cap on the importance weight), got " + delta);
        FieldException.require(sapoTemperaturePos > 0 && sapoTemperatureNeg > 0, "sapo_temperature_pos",
                "and sapo_temperature_neg must be positive");
        FieldException.require(topEntropyQuantile > 0 && topEntropyQuantile <= 1, "top_entropy_quantile",
                "must be in (0, 1], got " + topEntropyQuantile);
        FieldException.require(!rewardFuncs.isEmpty(), "reward_funcs", "must name at least one reward function");
        for (String name : rewardFuncs) {
            try {
                RewardFunctions.named(name, formatReward);
            } catch (IllegalArgumentException e) {
                throw new FieldException("reward_funcs", ": " + e.getMessage());
            }
        }
        FieldException.require(rewardWeights.size() == rewardFuncs.size(), "reward_weights",
                "must have one weight per reward function (" + rewardFuncs.size() + "), got " + rewardWeights.size());
        FieldException.require(dynamicSamplingMaxRounds >= 1, "dynamic_sampling_max_rounds", "must be >= 1");
        FieldException.require(evalSteps >= 0, "eval_steps", "must be >= 0 (0: evaluate once, at the end), got " + evalSteps);
        new LrSchedule(learningRate, warmupSteps, maxSteps, lrScheduler, 0.1);
    }

    /** Every default. */
    public static TrainConfig defaults() {
        return builder().build();
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this config. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    public static TrainConfig parse(String json) {
        return ConfigFiles.parse(json, TrainConfig.class, KIND);
    }

    public static TrainConfig read(Path file) throws IOException {
        return ConfigFiles.read(file, TrainConfig.class, KIND);
    }

    /** Reads a section of a larger file (a grid's shared train config), null meaning all defaults. */
    public static TrainConfig fromTree(JsonNode node) {
        return node == null ? defaults() : ConfigFiles.fromTree(node, TrainConfig.class, KIND);
    }

    /** This config with the fields a partial config (e.g. a grid's per-algorithm section) sets replaced. */
    public TrainConfig overlay(JsonNode overrides) {
        return ConfigFiles.overlay(this, overrides, TrainConfig.class, KIND);
    }

    public String toJson() {
        return ConfigFiles.toJson(this);
    }

    /**
     * The interval of held-out evaluation the loop runs: {@code eval_steps}, where 0 (the
     * default) means once, after the last step.
     */
    public int evaluationInterval() {
        return evalSteps > 0 ? evalSteps : maxSteps;
    }

    /** Typed changes to a config; {@link #build()} validates the result as a whole. */
    public static final class Builder {
        private Algo algo;
        private List<String> tasks;
        private List<Integer> levels;
        private Integer testPerLevel;
        private Integer maxSteps;
        private Integer batchSize;
        private Double learningRate;
        private Double weightDecay;
        private Double maxGradNorm;
        private Integer warmupSteps;
        private LrSchedulerType lrScheduler;
        private Long seed;
        private Integer loggingSteps;
        private Integer evalSteps;
        private Integer saveSteps;
        private Integer saveTotalLimit;
        private Integer numGenerations;
        private Integer maxCompletionLength;
        private Double temperature;
        private Double topP;
        private Double beta;
        private Double epsilon;
        private Double epsilonHigh;
        private LossType lossType;
        private RewardScaling scaleRewards;
        private Integer numIterations;
        private ImportanceSamplingLevel importanceSamplingLevel;
        private Double delta;
        private Double sapoTemperaturePos;
        private Double sapoTemperatureNeg;
        private Double topEntropyQuantile;
        private Boolean maskTruncatedCompletions;
        private List<String> rewardFuncs;
        private List<Double> rewardWeights;
        private Boolean dynamicSampling;
        private Integer dynamicSamplingMaxRounds;
        private Double formatReward;
        private AdapterConfig adapter;
        private ProjectionSide projectionOn;
        private Boolean bf16Storage;
        private Integer geometrySteps;
        private Integer passAtK;
        private ComputeDevice device;
        private Boolean chatTemplate;
        private Map<String, Object> chatTemplateKwargs;

        private Builder() {
        }

        private Builder(TrainConfig c) {
            algo = c.algo;
            tasks = c.tasks;
            levels = c.levels;
            testPerLevel = c.testPerLevel;
            maxSteps = c.maxSteps;
            batchSize = c.batchSize;
            learningRate = c.learningRate;
            weightDecay = c.weightDecay;
            maxGradNorm = c.maxGradNorm;
            warmupSteps = c.warmupSteps;
            lrScheduler = c.lrScheduler;
            seed = c.seed;
            loggingSteps = c.loggingSteps;
            evalSteps = c.evalSteps;
            saveSteps = c.saveSteps;
            saveTotalLimit = c.saveTotalLimit;
            numGenerations = c.numGenerations;
            maxCompletionLength = c.maxCompletionLength;
            temperature = c.temperature;
            topP = c.topP;
            beta = c.beta;
            epsilon = c.epsilon;
            epsilonHigh = c.epsilonHigh;
            lossType = c.lossType;
            scaleRewards = c.scaleRewards;
            numIterations = c.numIterations;
            importanceSamplingLevel = c.importanceSamplingLevel;
            delta = c.delta;
            sapoTemperaturePos = c.sapoTemperaturePos;
            sapoTemperatureNeg = c.sapoTemperatureNeg;
            topEntropyQuantile = c.topEntropyQuantile;
            maskTruncatedCompletions = c.maskTruncatedCompletions;
            rewardFuncs = c.rewardFuncs;
            rewardWeights = c.rewardWeights;
            dynamicSampling = c.dynamicSampling;
            dynamicSamplingMaxRounds = c.dynamicSamplingMaxRounds;
            formatReward = c.formatReward;
            adapter = c.adapter;
            projectionOn = c.projectionOn;
            bf16Storage = c.bf16Storage;
            geometrySteps = c.geometrySteps;
            passAtK = c.passAtK;
            device = c.device;
            chatTemplate = c.chatTemplate;
            chatTemplateKwargs = c.chatTemplateKwargs;
        }

        public TrainConfig build() {
            return new TrainConfig(algo, tasks, levels, testPerLevel, maxSteps, batchSize, learningRate, weightDecay,
                    maxGradNorm, warmupSteps, lrScheduler, seed, loggingSteps, evalSteps, saveSteps, saveTotalLimit,
                    numGenerations, maxCompletionLength, temperature, topP, beta, epsilon, epsilonHigh, lossType,
                    scaleRewards, numIterations, importanceSamplingLevel, delta, sapoTemperaturePos,
                    sapoTemperatureNeg, topEntropyQuantile, maskTruncatedCompletions, rewardFuncs, rewardWeights,
                    dynamicSampling, dynamicSamplingMaxRounds, formatReward, adapter, projectionOn, bf16Storage,
                    geometrySteps, passAtK, device, chatTemplate, chatTemplateKwargs);
        }

        public Builder algo(Algo value) {
            algo = value;
            return this;
        }

        public Builder tasks(List<String> value) {
            tasks = value;
            return this;
        }

        public Builder levels(List<Integer> value) {
            levels = value;
            return this;
        }

        public Builder testPerLevel(Integer value) {
            testPerLevel = value;
            return this;
        }

        public Builder maxSteps(Integer value) {
            maxSteps = value;
            return this;
        }

        public Builder batchSize(Integer value) {
            batchSize = value;
            return this;
        }

        public Builder learningRate(Double value) {
            learningRate = value;
            return this;
        }

        public Builder weightDecay(Double value) {
            weightDecay = value;
            return this;
        }

        public Builder maxGradNorm(Double value) {
            maxGradNorm = value;
            return this;
        }

        public Builder warmupSteps(Integer value) {
            warmupSteps = value;
            return this;
        }

        public Builder lrScheduler(LrSchedulerType value) {
            lrScheduler = value;
            return this;
        }

        public Builder seed(Long value) {
            seed = value;
            return this;
        }

        public Builder loggingSteps(Integer value) {
            loggingSteps = value;
            return this;
        }

        public Builder evalSteps(Integer value) {
            evalSteps = value;
            return this;
        }

        public Builder saveSteps(Integer value) {
            saveSteps = value;
            return this;
        }

        public Builder saveTotalLimit(Integer value) {
            saveTotalLimit = value;
            return this;
        }

        public Builder numGenerations(Integer value) {
            numGenerations = value;
            return this;
        }

        public Builder maxCompletionLength(Integer value) {
            maxCompletionLength = value;
            return this;
        }

        public Builder temperature(Double value) {
            temperature = value;
            return this;
        }

        public Builder topP(Double value) {
            topP = value;
            return this;
        }

        public Builder beta(Double value) {
            beta = value;
            return this;
        }

        public Builder epsilon(Double value) {
            epsilon = value;
            return this;
        }

        public Builder epsilonHigh(Double value) {
            epsilonHigh = value;
            return this;
        }

        public Builder lossType(LossType value) {
            lossType = value;
            return this;
        }

        public Builder scaleRewards(RewardScaling value) {
            scaleRewards = value;
            return this;
        }

        public Builder numIterations(Integer value) {
            numIterations = value;
            return this;
        }

        public Builder importanceSamplingLevel(ImportanceSamplingLevel value) {
            importanceSamplingLevel = value;
            return this;
        }

        public Builder delta(Double value) {
            delta = value;
            return this;
        }

        public Builder sapoTemperaturePos(Double value) {
            sapoTemperaturePos = value;
            return this;
        }

        public Builder sapoTemperatureNeg(Double value) {
            sapoTemperatureNeg = value;
            return this;
        }

        public Builder topEntropyQuantile(Double value) {
            topEntropyQuantile = value;
            return this;
        }

        public Builder maskTruncatedCompletions(Boolean value) {
            maskTruncatedCompletions = value;
            return this;
        }

        public Builder rewardFuncs(List<String> value) {
            rewardFuncs = value;
            return this;
        }

        public Builder rewardWeights(List<Double> value) {
            rewardWeights = value;
            return this;
        }

        public Builder dynamicSampling(Boolean value) {
            dynamicSampling = value;
            return this;
        }

        public Builder dynamicSamplingMaxRounds(Integer value) {
            dynamicSamplingMaxRounds = value;
            return this;
        }

        public Builder formatReward(Double value) {
            formatReward = value;
            return this;
        }

        public Builder adapter(AdapterConfig value) {
            adapter = value;
            return this;
        }

        public Builder projectionOn(ProjectionSide value) {
            projectionOn = value;
            return this;
        }

        public Builder bf16Storage(Boolean value) {
            bf16Storage = value;
            return this;
        }

        public Builder geometrySteps(Integer value) {
            geometrySteps = value;
            return this;
        }

        public Builder passAtK(Integer value) {
            passAtK = value;
            return this;
        }

        public Builder device(ComputeDevice value) {
            device = value;
            return this;
        }

        public Builder chatTemplate(Boolean value) {
            chatTemplate = value;
            return this;
        }

        public Builder chatTemplateKwargs(Map<String, Object> value) {
            chatTemplateKwargs = value;
            return this;
        }
    }
}
