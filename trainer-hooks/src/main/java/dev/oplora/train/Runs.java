package dev.oplora.train;

import ai.djl.ndarray.NDManager;
import dev.oplora.adapters.DeltaFiles;
import dev.oplora.adapters.Engines;
import dev.oplora.adapters.Injector;
import dev.oplora.adapters.PeftFiles;
import dev.oplora.adapters.config.AdapterConfig;
import dev.oplora.adapters.config.AdapterType;
import dev.oplora.model.ModelConfig;
import dev.oplora.model.ModelFolder;
import dev.oplora.model.ShardSize;
import dev.oplora.model.Transformer;
import dev.oplora.safetensors.Dtype;
import dev.oplora.svd.SvdCache;
import dev.oplora.chat.ChatTokenizer;
import dev.oplora.tokenizer.CharTokenizer;
import dev.oplora.tokenizer.Tokenizer;
import dev.oplora.train.hooks.Bf16StorageHook;
import dev.oplora.train.hooks.GeometryTracker;
import dev.oplora.train.hooks.MetricsLog;
import dev.oplora.train.hooks.NanGuard;
import dev.oplora.train.hooks.ProgressHook;
import dev.oplora.train.hooks.ProjectionHook;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.oplora.config.ConfigFiles;
import dev.oplora.files.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The two runs users start: pretraining a base from scratch (SFT on the task mixture, every
 * weight trainable) and fine-tuning a base with an adapter (SFT or GRPO, base frozen). Each
 * writes its outputs into one folder: {@code metrics.jsonl}, checkpoints, the final model or
 * adapter, and {@code train_config.json}.
 */
public final class Runs {

    public static final String METRICS = "metrics.jsonl";
    public static final String CONFIG = "train_config.json";

    private Runs() {
    }

    /** The result of a run: final held-out metrics and where things were written. */
    public record Result(Map<String, Double> evaluation, Path outputDir, String stopReason) {
    }

    /** Trains a new base model and saves it as a Hugging Face folder in {@code out/model}. */
    public static Result pretrain(ModelConfig modelConfig, TrainConfig config, Path out, boolean progress) throws IOException {
        return pretrain(modelConfig, config, out, Dtype.F32, progress, false);
    }

    /** {@link #pretrain}, storing the model as {@code dtype}; with {@code resume}, from the newest checkpoint. */
    public static Result pretrain(ModelConfig modelConfig, TrainConfig config, Path out, boolean progress, boolean resume)
            throws IOException {
        return pretrain(modelConfig, config, out, Dtype.F32, progress, resume);
    }

    /**
     * Trains a new base, stores it as {@code dtype} in {@code out/model}; with {@code resume},
     * continues from the newest complete checkpoint under {@code out}.
     */
    public static Result pretrain(ModelConfig modelConfig, TrainConfig config, Path out, Dtype dtype, boolean progress,
                                  boolean resume) throws IOException {
        if (config.algo() != Algo.SFT) {
            throw new IllegalArgumentException("pretraining is supervised: algo must be sft, got " + config.algo());
        }
        CharTokenizer tokenizer = CharTokenizer.arithmetic();
        if (modelConfig.vocabSize() != tokenizer.vocabSize()) {
            throw new IllegalArgumentException("vocab_size " + modelConfig.vocabSize() + " does not match the character tokenizer's "
                    + tokenizer.vocabSize());
        }
        Files.createDirectories(out);
        try (NDManager manager = Engines.newManager(config.device())) {
            Transformer model = Transformer.random(modelConfig, manager, config.seed(), true);
            Trainer trainer = trainer(config, model, tokenizer, null, out, progress, "pretrain", resume);
            Map<String, Double> evaluation = trainer.run();
            ModelFolder.save(out.resolve("model"), model, tokenizer, dtype);
            return new Result(evaluation, out, trainer.state().stopReason());
        }
    }

    /**
     * Fine-tunes the base model folder {@code base} with {@code config.adapter()} (LoRA family,
     * sparse or full). Saves the adapter ({@code out/adapter}, PEFT or delta files) and the
     * merged model ({@code out/merged}).
     */
    public static Result finetune(Path base, TrainConfig config, Path out, SvdCache cache, boolean progress) throws IOException {
        return finetune(base, config, out, cache, progress, false);
    }

    /**
     * {@link #finetune}; with {@code resume}, continues from the newest complete checkpoint under
     * {@code out} (the adapter is set up as at step 0, then its trained state restored), or starts
     * over when there is none. The saved train config must equal this one but for max_steps.
     */
    public static Result finetune(Path base, TrainConfig config, Path out, SvdCache cache, boolean progress, boolean resume)
            throws IOException {
        AdapterConfig adapter = config.adapter();
        if (adapter == null) {
            throw new IllegalArgumentException("train config field 'adapter' is required for fine-tuning "
                    + "(use {\"adapter_type\": \"full\"} to train every linear weight)");
        }
        // Before anything is written: a chat_template run needs the base's template.
        Tokenizer tokenizer = config.chatTemplate() ? chatTokenizer(base, config) : Tokenizer.load(base);
        Files.createDirectories(out);
        try (NDManager manager = Engines.newManager(config.device())) {
            Transformer model = ModelFolder.load(base, manager, false);
            Injector.Injected injected = Injector.inject(model.linearLayers(), adapter, cache);
            Trainer trainer = trainer(config, model, tokenizer, injected, out, progress, config.algo().configName(), resume);
            Map<String, Double> evaluation = trainer.run();
            if (adapter.adapterType() == AdapterType.LORA) {
                PeftFiles.save(out.resolve("adapter"), injected, base.toAbsolutePath().toString());
            } else {
                DeltaFiles.save(out.resolve("adapter"), injected);
            }
            ModelFolder.saveDerived(out.resolve("merged"), base, model, ModelFolder.storedDtype(base), true, ShardSize.DEFAULT);
            return new Result(evaluation, out, trainer.state().stopReason());
        }
    }

    private static Tokenizer chatTokenizer(Path base, TrainConfig config) throws IOException {
        try {
            return ChatTokenizer.load(base, config.chatTemplateKwargs());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("train config field 'chat_template' is true: " + e.getMessage(), e);
        }
    }

    /** A trainer with the built-in hooks the config asks for. */
    public static Trainer trainer(TrainConfig config, Transformer model, Tokenizer tokenizer, Injector.Injected injected,
                                  Path out, boolean progress, String label) throws IOException {
        return trainer(config, model, tokenizer, injected, out, progress, label, false);
    }

    /**
     * A trainer with the built-in hooks the config asks for; with {@code resume}, restored from
     * the newest complete checkpoint under {@code out} when there is one.
     */
    public static Trainer trainer(TrainConfig config, Transformer model, Tokenizer tokenizer, Injector.Injected injected,
                                  Path out, boolean progress, String label, boolean resume) throws IOException {
        Path saved = out.resolve(CONFIG);
        if (resume && Files.isRegularFile(saved)) {
            requireResumable(TrainConfig.read(saved), config, saved);
        }
        AtomicFiles.writeString(saved, config.toJson());
        Trainer trainer = new Trainer(config, model, tokenizer, injected, out);
        trainer.addHook(new NanGuard());
        if (injected != null && injected.config().projected()) {
            trainer.addHook(new ProjectionHook(config.projectionOn() == ProjectionSide.GRADIENTS));
        }
        if (config.bf16Storage()) {
            trainer.addHook(new Bf16StorageHook());
        }
        if (config.geometrySteps() > 0) {
            trainer.addHook(new GeometryTracker(config.geometrySteps(), 8, 0.5, 4));
        }
        trainer.addHook(new MetricsLog(out.resolve(METRICS)));
        if (progress) {
            trainer.addHook(new ProgressHook(label));
        }
        Path checkpoint = resume ? Checkpoints.latest(out) : null;
        if (checkpoint != null) {
            trainer.resumeFrom(checkpoint);
        } else {
            // A run from step 0: checkpoints of an earlier run in this folder must not be resumed later.
            AtomicFiles.deleteTree(out.resolve(Checkpoints.FOLDER));
        }
        return trainer;
    }

    /** Whether a run of {@code config} may resume in {@code out}: no saved config, or one that differs in max_steps only. */
    public static boolean resumable(Path out, TrainConfig config) throws IOException {
        Path saved = out.resolve(CONFIG);
        if (!Files.isRegularFile(saved)) {
            return true;
        }
        try {
            requireResumable(TrainConfig.read(saved), config, saved);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** A run may resume under a config that differs from the saved one in max_steps only. */
    static void requireResumable(TrainConfig saved, TrainConfig now, Path file) {
        ObjectNode before = ConfigFiles.JSON.valueToTree(saved);
        ObjectNode after = ConfigFiles.JSON.valueToTree(now);
        java.util.Set<String> fields = new java.util.TreeSet<>();
        before.fieldNames().forEachRemaining(fields::add);
        after.fieldNames().forEachRemaining(fields::add);
        List<String> differences = new ArrayList<>();
        for (String field : fields) {
            if (!field.equals("max_steps") && !java.util.Objects.equals(after.get(field), before.get(field))) {
                differences.add(field + " (" + before.get(field) + " saved, " + after.get(field) + " now)");
            }
        }
        if (!differences.isEmpty()) {
            throw new IllegalArgumentException("cannot resume: " + file + " differs from this run's train config in "
                    + String.join(", ", differences) + "; only max_steps may change (or start a new --out)");
        }
    }
}
