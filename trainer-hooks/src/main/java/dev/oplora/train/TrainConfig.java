package dev.oplora.train;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import dev.oplora.adapters.config.AdapterConfig;
import dev.oplora.task.Task;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A training run, with TRL's names where TRL has the setting. For GRPO,
 * {@code per_device_train_batch_size} counts completions (prompts x num_generations), as in TRL.
 * Every field has a default; a field that does not exist is an error naming it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TrainConfig(
        @JsonProperty("algo") String algo,
        @JsonProperty("tasks") List<String> tasks,
        @JsonProperty("levels") List<Integer> levels,
        @JsonProperty("test_per_level") Integer testPerLevel,
        @JsonProperty("max_steps") Integer maxSteps,
        @JsonProperty("per_device_train_batch_size") Integer batchSize,
        @JsonProperty("learning_rate") Double learningRate,
        @JsonProperty("weight_decay") Double weightDecay,
        @JsonProperty("max_grad_norm") Double maxGradNorm,
        @JsonProperty("warmup_steps") Integer warmupSteps,
        @JsonProperty("lr_scheduler_type") String lrScheduler,
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
        @JsonProperty("loss_type") String lossType,
        @JsonProperty("scale_rewards") String scaleRewards,
        @JsonProperty("num_iterations") Integer numIterations,
        @JsonProperty("format_reward") Double formatReward,
        @JsonProperty("adapter") AdapterConfig adapter,
        @JsonProperty("projection_on") String projectionOn,
        @JsonProperty("bf16_storage") Boolean bf16Storage,
        @JsonProperty("geometry_steps") Integer geometrySteps,
        @JsonProperty("pass_at_k") Integer passAtK) {

    static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(SerializationFeature.INDENT_OUTPUT);

    public static final List<String> ALGOS = List.of("sft", "grpo");

    public TrainConfig {
        algo = algo == null ? "grpo" : algo;
        tasks = tasks == null ? List.of("addition") : List.copyOf(tasks);
        levels = levels == null ? List.of(1, 2) : List.copyOf(levels);
        testPerLevel = testPerLevel == null ? 64 : testPerLevel;
        maxSteps = maxSteps == null ? 100 : maxSteps;
        batchSize = batchSize == null ? 32 : batchSize;
        learningRate = learningRate == null ? 1e-4 : learningRate;
        weightDecay = weightDecay == null ? 0.0 : weightDecay;
        maxGradNorm = maxGradNorm == null ? 1.0 : maxGradNorm;
        warmupSteps = warmupSteps == null ? 0 : warmupSteps;
        lrScheduler = lrScheduler == null ? "constant" : lrScheduler;
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
        lossType = lossType == null ? "dapo" : lossType;
        scaleRewards = scaleRewards == null ? "group" : scaleRewards;
        numIterations = numIterations == null ? 1 : numIterations;
        formatReward = formatReward == null ? 0.0 : formatReward;
        projectionOn = projectionOn == null ? "parameters" : projectionOn;
        bf16Storage = bf16Storage != null && bf16Storage;
        geometrySteps = geometrySteps == null ? 0 : geometrySteps;
        passAtK = passAtK == null ? 0 : passAtK;
        require(ALGOS.contains(algo), "algo", "must be one of " + ALGOS + ", got \"" + algo + "\"");
        for (String t : tasks) {
            try {
                Task.parse(t);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("train config field 'tasks': " + e.getMessage());
            }
        }
        require(!tasks.isEmpty() && !levels.isEmpty(), "tasks", "and levels must not be empty");
        require(maxSteps > 0, "max_steps", "must be positive, got " + maxSteps);
        require(batchSize > 0, "per_device_train_batch_size", "must be positive, got " + batchSize);
        require(numGenerations >= 2, "num_generations", "must be at least 2 (advantages compare completions of one prompt), got " + numGenerations);
        require(!algo.equals("grpo") || batchSize % numGenerations == 0, "per_device_train_batch_size",
                "(" + batchSize + ") must be a multiple of num_generations (" + numGenerations + ")");
        require(maxCompletionLength > 0, "max_completion_length", "must be positive");
        require(GrpoLoss.TYPES.contains(lossType), "loss_type", "must be one of " + GrpoLoss.TYPES + ", got \"" + lossType + "\"");
        require(List.of("group", "batch", "none").contains(scaleRewards), "scale_rewards", "must be group, batch or none, got \"" + scaleRewards + "\"");
        require(epsilon >= 0 && epsilonHigh >= 0, "epsilon", "and epsilon_high must be >= 0");
        require(beta >= 0, "beta", "must be >= 0");
        require(numIterations >= 1, "num_iterations", "must be >= 1");
        require(List.of("parameters", "gradients").contains(projectionOn), "projection_on", "must be parameters or gradients");
        new LrSchedule(learningRate, warmupSteps, maxSteps, lrScheduler, 0.1);
    }

    private static void require(boolean ok, String field, String message) {
        if (!ok) {
            throw new IllegalArgumentException("train config field '" + field + "' " + message);
        }
    }

    public static TrainConfig defaults() {
        return parse("{}");
    }

    public static TrainConfig parse(String json) {
        try {
            return JSON.readValue(json, TrainConfig.class);
        } catch (UnrecognizedPropertyException e) {
            throw new IllegalArgumentException("unknown train config field '" + e.getPropertyName() + "'");
        } catch (ValueInstantiationException e) {
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            throw new IllegalArgumentException(root.getMessage(), e);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e.getOriginalMessage(), e);
        }
    }

    public static TrainConfig read(Path file) throws IOException {
        try {
            return parse(Files.readString(file));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** This config with some fields replaced, given as JSON (e.g. {"max_steps": 10}). */
    public TrainConfig with(String overrides) {
        try {
            var node = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(toJson());
            node.setAll((com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(overrides));
            return parse(node.toString());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e.getOriginalMessage(), e);
        }
    }
}
