package dev.oplora.train;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.oplora.adapters.Injector;
import dev.oplora.model.Transformer;
import dev.oplora.task.Dataset;
import dev.oplora.task.Task;
import dev.oplora.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one loop behind SFT and GRPO. Each step: the algorithm's forward and backward, hooks after
 * backward, global-norm clipping, AdamW at the scheduled rate, zeroed gradients, hooks after the
 * step; then, when due, logging, evaluation and a checkpoint (every save_steps, keeping
 * save_total_limit, after every hook has seen the step, so it holds projected or bf16-rounded
 * weights). Every hook callback fires from here.
 */
public final class Trainer {

    private final TrainerState state;
    private final Algorithm algorithm;
    private final List<TrainerHook> hooks = new ArrayList<>();
    private final LrSchedule schedule;

    public Trainer(TrainConfig config, Transformer model, Tokenizer tokenizer, Injector.Injected adapters, Path outputDir)
            throws IOException {
        List<Task> tasks = config.tasks().stream().map(Task::parse).toList();
        Dataset data = new Dataset(tasks, config.levels(), config.testPerLevel(), config.seed());
        this.state = new TrainerState(config, model, tokenizer, adapters, data, outputDir);
        this.algorithm = Algorithm.of(config);
        this.schedule = new LrSchedule(config.learningRate(), config.warmupSteps(), config.maxSteps(),
                config.lrScheduler(), 0.1);
        int longestPrompt = tasks.stream().flatMap(t -> config.levels().stream()
                        .map(l -> t.sample(l, new java.util.SplittableRandom(0)).prompt().length() + 1))
                .max(Integer::compare).orElse(0) + 2;
        if (longestPrompt + config.maxCompletionLength() > model.config().maxPositionEmbeddings()) {
            throw new IllegalArgumentException("prompts of about " + longestPrompt + " tokens plus max_completion_length "
                    + config.maxCompletionLength() + " exceed the model's context of " + model.config().maxPositionEmbeddings());
        }
        Checkpoints.removeUnfinished(outputDir);
    }

    public Trainer addHook(TrainerHook hook) {
        hooks.add(hook);
        return this;
    }

    public TrainerState state() {
        return state;
    }

    /**
     * Restores a checkpoint written by this loop (call after adding the hooks); the run
     * continues from its step exactly as if it had not stopped.
     */
    public Trainer resumeFrom(Path checkpoint) throws IOException {
        Checkpoints.restore(state, checkpoint, parts());
        return this;
    }

    /** The algorithm and every hook: what a checkpoint holds beyond parameters, moments and RNG. */
    private List<CheckpointPart> parts() {
        List<CheckpointPart> parts = new ArrayList<>();
        parts.add(algorithm);
        parts.addAll(hooks);
        return parts;
    }

    /** Runs to max_steps (or until a hook stops it); returns the final evaluation metrics. */
    public Map<String, Double> run() {
        TrainConfig c = state.config;
        hooks.forEach(h -> h.onStart(state));
        Map<String, Double> evaluation = state.lastEvaluation;
        while (state.step < c.maxSteps() && state.stopReason == null) {
            state.step++;
            state.stepMetrics.clear();
            // PyTorch's own RNG (dropout) restarts from the step, so a resumed run draws the same masks.
            state.model.manager().getEngine().setRandomSeed((int) (c.seed() * 1_000_003L + state.step));
            long start = System.nanoTime();
            // Every array a step creates (activations, gradients' temporaries, optimizer and hook
            // intermediates) is freed when the scope closes; long-lived state unregisters itself.
            try (NDScope arrays = new NDScope(); NDManager scope = state.model.manager().newSubManager()) {
                arrays.suppressNotUsedWarning();
                state.stepMetrics.putAll(algorithm.step(state, scope));
                hooks.forEach(h -> h.afterBackward(state));
                if (state.stopReason != null) {
                    break;
                }
                state.stepMetrics.put("grad_norm", Gradients.clipGlobalNorm(state.trainable, c.maxGradNorm()));
                double lr = schedule.at(state.step);
                state.optimizer.step(state.trainable, lr);
                Gradients.zero(state.trainable);
                state.stepMetrics.put("learning_rate", lr);
                hooks.forEach(h -> h.afterOptimizerStep(state));
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            state.stepMetrics.put("step_time", seconds);
            state.stepMetrics.put("tokens_per_second", state.stepMetrics.getOrDefault("num_tokens", 0.0) / seconds);
            if (state.step % c.loggingSteps() == 0 || state.step == c.maxSteps()) {
                Map<String, Double> logged = new LinkedHashMap<>(state.stepMetrics);
                hooks.forEach(h -> h.onLog(state, logged));
            }
            if (state.step % c.evaluationInterval() == 0 || state.step == c.maxSteps()) {
                evaluation = evaluate();
            }
            // Last in the step: a checkpoint at step N comes after everything step N logs, so a
            // resumed run keeps the log up to N and writes nothing twice.
            if (c.saveSteps() > 0 && state.step % c.saveSteps() == 0) {
                checkpoint(c.saveTotalLimit());
            }
        }
        hooks.forEach(h -> h.onEnd(state));
        return evaluation;
    }

    /** Held-out evaluation now; fires onEval. */
    public Map<String, Double> evaluate() {
        Map<String, Double> metrics;
        try (NDScope arrays = new NDScope()) {
            arrays.suppressNotUsedWarning();
            metrics = Evaluator.evaluate(state.model, state.tokenizer, state.data.test(),
                state.config.maxCompletionLength(), state.config.passAtK(), new Rng(state.config.seed() + 1));
        }
        state.lastEvaluation = metrics;
        hooks.forEach(h -> h.onEval(state, metrics));
        return metrics;
    }

    /** Writes a checkpoint now, keeping the newest {@code keep}; fires onCheckpoint. */
    public Path checkpoint(int keep) {
        try {
            Path dir = Checkpoints.save(state, keep, parts());
            state.lastCheckpoint = dir;
            hooks.forEach(h -> h.onCheckpoint(state, dir));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint under " + state.outputDir, e);
        }
    }
}
