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
import dev.oplora.model.Transformer;
import dev.oplora.safetensors.Dtype;
import dev.oplora.svd.SvdCache;
import dev.oplora.tokenizer.CharTokenizer;
import dev.oplora.tokenizer.Tokenizer;
import dev.oplora.train.hooks.Bf16StorageHook;
import dev.oplora.train.hooks.GeometryTracker;
import dev.oplora.train.hooks.MetricsLog;
import dev.oplora.train.hooks.NanGuard;
import dev.oplora.train.hooks.ProgressHook;
import dev.oplora.train.hooks.ProjectionHook;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The two runs users start: pretraining a base from scratch (SFT on the task mixture, every
 * weight trainable) and fine-tuning a base with an adapter (SFT or GRPO, base frozen). Each
 * writes its outputs into one folder: {@code metrics.jsonl}, checkpoints, the final model or
 * adapter, and {@code train_config.json}.
 */
public final class Runs {

    public static final String METRICS = "metrics.jsonl";

    private Runs() {
    }

    /** The result of a run: final held-out metrics and where things were written. */
    public record Result(Map<String, Double> evaluation, Path outputDir, String stopReason) {
    }

    /** Trains a new base model and saves it as a Hugging Face folder in {@code out/model}. */
    public static Result pretrain(ModelConfig modelConfig, TrainConfig config, Path out, boolean progress) throws IOException {
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
            Trainer trainer = trainer(config, model, tokenizer, null, out, progress, "pretrain");
            Map<String, Double> evaluation = trainer.run();
            ModelFolder.save(out.resolve("model"), model, tokenizer, Dtype.F32);
            return new Result(evaluation, out, trainer.state().stopReason());
        }
    }

    /**
     * Fine-tunes the base model folder {@code base} with {@code config.adapter()} (LoRA family,
     * sparse or full). Saves the adapter ({@code out/adapter}, PEFT or delta files) and the
     * merged model ({@code out/merged}).
     */
    public static Result finetune(Path base, TrainConfig config, Path out, SvdCache cache, boolean progress) throws IOException {
        AdapterConfig adapter = config.adapter();
        if (adapter == null) {
            throw new IllegalArgumentException("train config field 'adapter' is required for fine-tuning "
                    + "(use {\"adapter_type\": \"full\"} to train every linear weight)");
        }
        Files.createDirectories(out);
        try (NDManager manager = Engines.newManager(config.device())) {
            Transformer model = ModelFolder.load(base, manager, false);
            Tokenizer tokenizer = Tokenizer.load(base);
            Injector.Injected injected = Injector.inject(model.linearLayers(), adapter, cache);
            Trainer trainer = trainer(config, model, tokenizer, injected, out, progress, config.algo().configName());
            Map<String, Double> evaluation = trainer.run();
            if (adapter.adapterType() == AdapterType.LORA) {
                PeftFiles.save(out.resolve("adapter"), injected, base.toAbsolutePath().toString());
            } else {
                DeltaFiles.save(out.resolve("adapter"), injected);
            }
            ModelFolder.save(out.resolve("merged"), model, tokenizer, Dtype.F32);
            return new Result(evaluation, out, trainer.state().stopReason());
        }
    }

    /** A trainer with the built-in hooks the config asks for. */
    public static Trainer trainer(TrainConfig config, Transformer model, Tokenizer tokenizer, Injector.Injected injected,
                                  Path out, boolean progress, String label) throws IOException {
        Files.writeString(out.resolve("train_config.json"), config.toJson());
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
        return trainer;
    }
}
