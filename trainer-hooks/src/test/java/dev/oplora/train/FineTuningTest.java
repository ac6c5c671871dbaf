package dev.oplora.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.oplora.adapters.Engines;
import dev.oplora.adapters.Injector;
import dev.oplora.model.ModelConfig;
import dev.oplora.model.ModelFolder;
import dev.oplora.model.Transformer;
import dev.oplora.svd.SvdSolver;
import dev.oplora.tokenizer.CharTokenizer;
import dev.oplora.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * End to end on a tiny base pretrained here (single-digit addition, a few hundred SFT steps, so
 * it is partly right): GRPO raises held-out accuracy for full, lora and op-lora; resuming from a
 * checkpoint reproduces an uninterrupted run; every hook callback fires; bad input is named.
 */
class FineTuningTest {

    @TempDir
    static Path shared;
    static Path base;
    static double baseAccuracy;

    static final String GRPO = "{\"algo\": \"grpo\", \"tasks\": [\"addition\"], \"levels\": [1], \"test_per_level\": 48,"
            + " \"max_steps\": 30, \"per_device_train_batch_size\": 64, \"num_generations\": 8, \"max_completion_length\": 4,"
            + " \"learning_rate\": %s, \"logging_steps\": 10, \"seed\": 3, \"adapter\": %s}";

    @BeforeAll
    static void pretrain() throws IOException {
        CharTokenizer tokenizer = CharTokenizer.arithmetic();
        ModelConfig model = ModelConfig.llama(tokenizer.vocabSize(), 48, 96, 2, 4, 2, 24);
        TrainConfig sft = TrainConfig.parse("{\"algo\": \"sft\", \"tasks\": [\"addition\"], \"levels\": [1],"
                + " \"test_per_level\": 48, \"max_steps\": 250, \"per_device_train_batch_size\": 64, \"learning_rate\": 0.002,"
                + " \"warmup_steps\": 20, \"eval_steps\": 250, \"logging_steps\": 50, \"seed\": 1}");
        Runs.Result result = Runs.pretrain(model, sft, shared.resolve("pretrain"), false);
        base = shared.resolve("pretrain/model");
        baseAccuracy = result.evaluation().get("eval/accuracy");
        assertTrue(baseAccuracy > 0.05 && baseAccuracy < 0.95, "base is partly right: " + baseAccuracy);
    }

    @ParameterizedTest
    @ValueSource(strings = {"full", "lora", "op-lora"})
    void grpoRaisesHeldOutAccuracy(String method) throws IOException {
        String adapter = switch (method) {
            case "full" -> "{\"adapter_type\": \"full\"}";
            case "lora" -> "{\"r\": 8, \"lora_alpha\": 16, \"init_lora_weights\": \"lora\"}";
            default -> "{\"r\": 8, \"lora_alpha\": 16, \"init_lora_weights\": \"op-lora\", \"principal_rank\": 8}";
        };
        // Full fine-tuning moves every weight, so it takes a smaller rate (PNT: LoRA in RL wants about 10x).
        String lr = method.equals("full") ? "0.0003" : "0.001";
        TrainConfig config = TrainConfig.parse(String.format(GRPO, lr, adapter).replace("\"max_steps\": 30", "\"max_steps\": 60")
                .replace("\"logging_steps\": 10", "\"logging_steps\": 10, \"eval_steps\": 60"));
        Path out = shared.resolve("grpo-" + method);
        Runs.Result result = Runs.finetune(base, config, out, null, false);
        double after = result.evaluation().get("eval/accuracy");
        assertTrue(after >= baseAccuracy + 0.1, method + ": held-out accuracy " + baseAccuracy + " -> " + after);
        assertTrue(Files.isRegularFile(out.resolve(Runs.METRICS)));
        assertTrue(Files.readString(out.resolve(Runs.METRICS)).contains("\"frac_reward_zero_std\""));
        assertTrue(Files.isRegularFile(out.resolve("merged/model.safetensors")));
        assertTrue(Files.isRegularFile(out.resolve(method.equals("full") ? "adapter/delta_config.json" : "adapter/adapter_config.json")));
    }

    /**
     * num_iterations = 2 at a high rate: the second step of each rollout sees ratios away from 1,
     * and some leave [1 - epsilon, 1 + epsilon_high], so the clip metrics are non-zero; with two
     * weighted reward functions, truncated completions masked and dynamic sampling, every TRL
     * metric name is logged.
     */
    @Test
    void grpoWithReusedRolloutsClipsAndLogsTrlMetrics() throws IOException {
        String adapter = "{\"r\": 8, \"lora_alpha\": 16, \"init_lora_weights\": \"op-lora\", \"principal_rank\": 8}";
        TrainConfig config = TrainConfig.parse(String.format(GRPO, "0.02", adapter)).toBuilder().maxSteps(8).batchSize(32)
                .numIterations(2).loggingSteps(1).epsilon(0.1).epsilonHigh(0.1).rewardFuncs(List.of("accuracy", "format"))
                .rewardWeights(List.of(1.0, 0.1)).maskTruncatedCompletions(true).dynamicSampling(true)
                .dynamicSamplingMaxRounds(2).testPerLevel(8).build();
        Path out = shared.resolve("grpo-clip");
        Runs.finetune(base, config, out, null, false);
        List<Map<String, Object>> lines = new ArrayList<>();
        for (String line : Files.readAllLines(out.resolve(Runs.METRICS))) {
            lines.add(new com.fasterxml.jackson.databind.ObjectMapper().readValue(line, Map.class));
        }
        double region = 0;
        for (Map<String, Object> m : lines) {
            if (m.containsKey("clip_ratio/region_mean")) {
                region = Math.max(region, ((Number) m.get("clip_ratio/region_mean")).doubleValue());
                for (String key : List.of("clip_ratio/low_mean", "clip_ratio/low_min", "clip_ratio/high_mean",
                        "clip_ratio/high_max", "rewards/accuracy/mean", "rewards/accuracy/std", "rewards/format/mean",
                        "rewards/format/std", "completions/mean_length", "completions/min_length",
                        "completions/max_length", "completions/clipped_ratio", "dynamic_sampling/dropped_groups",
                        "reward_std", "frac_reward_zero_std", "kl", "entropy")) {
                    assertTrue(m.containsKey(key), key + " in " + m.keySet());
                }
                double reward = ((Number) m.get("reward")).doubleValue();
                double combined = ((Number) m.get("rewards/accuracy/mean")).doubleValue()
                        + 0.1 * ((Number) m.get("rewards/format/mean")).doubleValue();
                assertEquals(combined, reward, 1e-9, "reward is the weighted sum of the functions' rewards");
            }
        }
        assertTrue(region > 0, "some ratios of the reused rollouts leave the clip range: max region_mean " + region);
    }

    /**
     * Train N steps; train N/2, checkpoint, resume in a fresh process state, train N/2: same
     * weights. With num_iterations 2 the checkpoint at step 3 falls inside a rollout's reuse (the
     * rollout goes into the checkpoint); LoRA dropout draws from PyTorch's RNG (seeded per step);
     * the geometry tracker's step-0 reference is restored.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void resumedRunContinuesIdentically(int iterations) throws IOException {
        String adapter = "{\"r\": 4, \"lora_alpha\": 8, \"lora_dropout\": 0.1, \"init_lora_weights\": \"op-lora\","
                + " \"target_modules\": [\"q_proj\", \"v_proj\", \"down_proj\"]}";
        TrainConfig full = TrainConfig.parse(String.format(GRPO, "0.01", adapter).replace("\"max_steps\": 30", "\"max_steps\": 6")
                .replace("\"per_device_train_batch_size\": 64", "\"per_device_train_batch_size\": 16")).toBuilder()
                .numIterations(iterations).geometrySteps(1).build();
        float[] uninterrupted = trainAndRead(full, shared.resolve("resume-a" + iterations), null);
        TrainConfig half = full.toBuilder().maxSteps(3).saveSteps(3).build();
        trainAndRead(half, shared.resolve("resume-b" + iterations), null);
        Path checkpoint = Checkpoints.latest(shared.resolve("resume-b" + iterations));
        assertTrue(checkpoint.getFileName().toString().equals("step-000003"), checkpoint.toString());
        assertTrue(Files.isRegularFile(checkpoint.resolve("rollout.json")), "the rollout in use is in the checkpoint");
        float[] resumed = trainAndRead(full, shared.resolve("resume-c" + iterations), checkpoint);
        assertArrayEquals(uninterrupted, resumed, 0f);
        List<String> geometry = new ArrayList<>();
        for (String run : List.of("resume-a", "resume-c")) {
            String last = Files.readAllLines(shared.resolve(run + iterations).resolve(Runs.METRICS)).stream()
                    .filter(l -> l.contains("\"step\":6,")).findFirst().orElseThrow();
            geometry.add(last.replaceAll("\"(step_time|tokens_per_second)\":[^,}]*", ""));
        }
        assertEquals(geometry.get(0), geometry.get(1), "step 6 logs the same metrics, geometry against step 0 included");
    }

    private static float[] trainAndRead(TrainConfig config, Path out, Path resume) throws IOException {
        Files.createDirectories(out);
        try (NDManager manager = Engines.newManager()) {
            Transformer model = ModelFolder.load(base, manager, false);
            Injector.Injected injected = Injector.inject(model.linearLayers(), config.adapter());
            Trainer trainer = Runs.trainer(config, model, Tokenizer.load(base), injected, out, false, "test");
            if (resume != null) {
                trainer.resumeFrom(resume);
            }
            trainer.run();
            List<Float> all = new ArrayList<>();
            for (var p : trainer.state().trainable().values()) {
                for (float v : p.getArray().toFloatArray()) {
                    all.add(v);
                }
            }
            float[] out2 = new float[all.size()];
            for (int i = 0; i < out2.length; i++) {
                out2[i] = all.get(i);
            }
            return out2;
        }
    }

    /**
     * A projected adapter needs the top-k subspaces of each weight, and op-lora's init needs the
     * same V_k: the init hands its triplets on, so each adapted weight is decomposed once for the
     * whole run (it was twice), and the projection still holds after training.
     */
    @ParameterizedTest
    @ValueSource(strings = {"op-lora", "lora"})
    void projectedRunDecomposesEachWeightOnce(String init) throws IOException {
        TrainConfig config = TrainConfig.parse(String.format(GRPO, "0.001", "{\"r\": 4, \"init_lora_weights\": \"" + init
                + "\", \"projected\": true, \"principal_rank\": 8}")).toBuilder().algo(Algo.SFT).maxSteps(3).batchSize(16)
                .testPerLevel(8).build();
        Path out = shared.resolve("once-" + init);
        Files.createDirectories(out);
        SvdSolver.Metered solver = new SvdSolver.Metered(config.adapter().solver());
        try (NDManager manager = Engines.newManager()) {
            Transformer model = ModelFolder.load(base, manager, false);
            Injector.Injected injected = Injector.inject(model.linearLayers(), config.adapter(), solver);
            assertEquals(injected.layers().size(), solver.calls().get(), "one decomposition per adapted weight at init");
            Runs.trainer(config, model, Tokenizer.load(base), injected, out, false, "test").run();
            assertEquals(injected.layers().size(), solver.calls().get(), "training decomposes nothing more");
            for (var layer : injected.layers().values()) {
                var lora = (dev.oplora.adapters.LoraAdapter) layer.adapter();
                var ba = lora.b().matMul(lora.a());
                double norm = ba.norm().getFloat();
                assertTrue(norm > 0, "adapter moved");
                assertTrue(lora.projection().uk().transpose().matMul(ba).norm().getFloat() < 1e-5 * norm, "U_k^T B A = 0");
                assertTrue(ba.matMul(lora.projection().vk()).norm().getFloat() < 1e-5 * norm, "B A V_k = 0");
            }
        }
    }

    @Test
    void sftOnCompletionsAndEveryHookFires() throws IOException {
        TrainConfig config = TrainConfig.parse("{\"algo\": \"sft\", \"tasks\": [\"addition\"], \"levels\": [1], \"max_steps\": 4,"
                + " \"per_device_train_batch_size\": 8, \"logging_steps\": 2, \"eval_steps\": 4, \"save_steps\": 2,"
                + " \"test_per_level\": 8, \"bf16_storage\": true, \"geometry_steps\": 2,"
                + " \"adapter\": {\"r\": 2, \"init_lora_weights\": \"op-lora\", \"projected\": true, \"principal_rank\": 4}}");
        Path out = shared.resolve("hooks");
        Files.createDirectories(out);
        List<String> calls = new ArrayList<>();
        try (NDManager manager = Engines.newManager()) {
            Transformer model = ModelFolder.load(base, manager, false);
            Injector.Injected injected = Injector.inject(model.linearLayers(), config.adapter());
            Trainer trainer = Runs.trainer(config, model, Tokenizer.load(base), injected, out, false, "test");
            trainer.addHook(new TrainerHook() {
                @Override
                public void onStart(TrainerState s) {
                    calls.add("start");
                }

                @Override
                public void afterBackward(TrainerState s) {
                    calls.add("backward" + s.step());
                    double total = 0;
                    for (var p : s.trainable().values()) {
                        total += p.getArray().getGradient().abs().sum().getFloat();
                    }
                    assertTrue(total > 0, "gradients are present after backward");
                }

                @Override
                public void afterOptimizerStep(TrainerState s) {
                    calls.add("step" + s.step());
                }

                @Override
                public void onLog(TrainerState s, Map<String, Double> m) {
                    calls.add("log" + s.step());
                    assertTrue(m.containsKey("geometry/model.layers.0.self_attn.q_proj/nss"), m.keySet().toString());
                }

                @Override
                public void onEval(TrainerState s, Map<String, Double> m) {
                    calls.add("eval" + s.step());
                }

                @Override
                public void onCheckpoint(TrainerState s, Path c) {
                    calls.add("checkpoint" + s.step());
                }

                @Override
                public void onEnd(TrainerState s) {
                    calls.add("end");
                }
            });
            trainer.run();
            // bf16 storage: every trainable value is a bf16 value.
            for (var p : trainer.state().trainable().values()) {
                for (float v : p.getArray().toFloatArray()) {
                    assertEquals(0, Float.floatToRawIntBits(v) & 0xffff);
                }
            }
        }
        // The checkpoint closes its step: everything the step logs is in metrics.jsonl before it.
        assertEquals(List.of("start", "backward1", "step1", "backward2", "step2", "log2", "checkpoint2", "backward3", "step3",
                "backward4", "step4", "log4", "eval4", "checkpoint4", "end"), calls);
        // save_total_limit 2 keeps both; each holds parameters, moments and the trainer state.
        for (String step : List.of("step-000002", "step-000004")) {
            for (String file : List.of("trainable.safetensors", "optimizer.safetensors", "trainer_state.json")) {
                assertTrue(Files.isRegularFile(out.resolve("checkpoints").resolve(step).resolve(file)), step + "/" + file);
            }
        }
    }

    @Test
    void badInputIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TrainConfig.parse("{\"tasks\": [\"division\"]}"));
        assertTrue(e.getMessage().contains("unknown task 'division'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TrainConfig.parse("{\"loss_type\": \"ppo\"}"));
        assertTrue(e.getMessage().contains("'loss_type' must be one of [grpo, bnpo, dr_grpo, dapo, cispo, sapo]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TrainConfig.parse("{\"num_generations\": 1}"));
        assertTrue(e.getMessage().contains("'num_generations' must be at least 2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TrainConfig.parse("{\"learning_rat\": 0.1}"));
        assertEquals("unknown train config field 'learning_rat'", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TrainConfig.parse("{\"reward_funcs\": [\"accuracy\", \"length\"]}"));
        assertTrue(e.getMessage().contains("train config field 'reward_funcs': unknown reward function 'length'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TrainConfig.parse("{\"reward_funcs\": [\"accuracy\", \"format\"],"
                + " \"reward_weights\": [1.0]}"));
        assertTrue(e.getMessage().contains("'reward_weights' must have one weight per reward function (2), got 1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TrainConfig.parse("{\"importance_sampling_level\": \"segment\"}"));
        assertTrue(e.getMessage().contains("'importance_sampling_level' must be one of [token, sequence]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TrainConfig.parse("{\"delta\": 0.5}"));
        assertTrue(e.getMessage().contains("'delta' must be > 1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Runs.requireResumable(
                TrainConfig.parse("{\"delta\": 1.5}"), TrainConfig.defaults(), Path.of("saved.json")));
        assertTrue(e.getMessage().contains("differs from this run's train config in delta (1.5 saved, null now)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TrainConfig.parse("{\"per_device_train_batch_size\": 12}"));
        assertTrue(e.getMessage().contains("must be a multiple of num_generations (8)"), e.getMessage());
        TrainConfig tooLong = TrainConfig.parse("{\"tasks\": [\"expression\"], \"levels\": [3], \"max_completion_length\": 20,"
                + " \"adapter\": {\"r\": 2}}");
        e = assertThrows(IllegalArgumentException.class, () -> Runs.finetune(base, tooLong, shared.resolve("long"), null, false));
        assertTrue(e.getMessage().contains("exceed the model's context of 24"), e.getMessage());
    }
}
