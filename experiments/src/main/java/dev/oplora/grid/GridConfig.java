package dev.oplora.grid;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import dev.oplora.adapters.config.Method;
import dev.oplora.config.ConfigFiles;
import dev.oplora.config.FieldException;
import dev.oplora.train.Algo;
import dev.oplora.train.TrainConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The PEFT ablation grid: methods (x ranks or densities) x algorithms x tasks x seeds, each cell a
 * run from the same base with the same budget. The base is {@code base} or, when absent, one
 * pretrained by the grid from {@code pretrain}. {@code train} is the shared train config;
 * {@code sft} and {@code grpo} override it per algorithm; full fine-tuning runs at
 * {@code full_lr_scale} times the learning rate.
 */
public record GridConfig(
        @JsonProperty("base") String base,
        @JsonProperty("pretrain") Pretrain pretrain,
        @JsonProperty("methods") List<Method> methods,
        @JsonProperty("algorithms") List<Algo> algorithms,
        @JsonProperty("tasks") List<String> tasks,
        @JsonProperty("levels") List<Integer> levels,
        @JsonProperty("seeds") List<Long> seeds,
        @JsonProperty("ranks") List<Integer> ranks,
        @JsonProperty("densities") List<Double> densities,
        @JsonProperty("principal_rank") Integer principalRank,
        @JsonProperty("train") JsonNode train,
        @JsonProperty("sft") JsonNode sft,
        @JsonProperty("grpo") JsonNode grpo,
        @JsonProperty("full_lr_scale") Double fullLrScale,
        @JsonProperty("diagnose_k") Integer diagnoseK,
        @JsonProperty("diagnose_alpha") Double diagnoseAlpha,
        @JsonProperty("matched_lr_control") Boolean matchedLrControl) {

    /** Model size and SFT budget of the grid's own base. */
    /**
     * @param dtype how the base is stored: {@code float32} (default) or {@code bfloat16} (PNT's
     *     precision gate: a release's weights are bf16, and so is what fine-tuning writes from it)
     */
    public record Pretrain(@JsonProperty("hidden") Integer hidden, @JsonProperty("layers") Integer layers,
                           @JsonProperty("heads") Integer heads, @JsonProperty("kv_heads") Integer kvHeads,
                           @JsonProperty("context") Integer context, @JsonProperty("train") JsonNode train,
                           @JsonProperty("dtype") String dtype) {
        public Pretrain {
            FieldException.require(dtype == null || dev.oplora.safetensors.Dtype.ofFloatName(dtype) != null, "dtype",
                    "must be float32, bfloat16 or float16, got \"" + dtype + "\"");
        }

        /** The base's storage type. */
        public dev.oplora.safetensors.Dtype storage() {
            return dtype == null ? dev.oplora.safetensors.Dtype.F32 : dev.oplora.safetensors.Dtype.ofFloatName(dtype);
        }
    }

    /** What {@link ConfigFiles} calls this kind of config in errors. */
    public static final String KIND = "grid config";

    public GridConfig {
        methods = methods == null ? List.of() : List.copyOf(methods);
        algorithms = algorithms == null ? List.of(Algo.SFT, Algo.GRPO) : List.copyOf(algorithms);
        tasks = tasks == null ? List.of("addition") : List.copyOf(tasks);
        levels = levels == null ? List.of(1, 2) : List.copyOf(levels);
        seeds = seeds == null ? List.of(1L) : List.copyOf(seeds);
        ranks = ranks == null ? List.of(8) : List.copyOf(ranks);
        densities = densities == null ? List.of(0.1) : List.copyOf(densities);
        principalRank = principalRank == null ? 0 : principalRank;
        fullLrScale = fullLrScale == null ? 0.3 : fullLrScale;
        diagnoseK = diagnoseK == null ? 16 : diagnoseK;
        diagnoseAlpha = diagnoseAlpha == null ? 0.5 : diagnoseAlpha;
        matchedLrControl = matchedLrControl != null && matchedLrControl;
        FieldException.require(!methods.isEmpty() && !algorithms.isEmpty() && !tasks.isEmpty() && !seeds.isEmpty(),
                "methods", "algorithms, tasks and seeds must not be empty (the grid would have no cell)");
        FieldException.require(base != null || pretrain != null, "base",
                "or 'pretrain' must be given: a base model folder, or the grid pretrains one");
    }

    /** Reads a grid config and builds every cell's train config, so a bad cell fails now, before anything runs. */
    public static GridConfig read(Path file) throws IOException {
        GridConfig config = ConfigFiles.read(file, GridConfig.class, KIND);
        try {
            config.cells();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
        return config;
    }

    /** The method-name suffix of the matched-learning-rate control cells. */
    public static final String MATCHED_LR = "-matched-lr";

    /** One run of the grid. */
    public record Cell(Method method, String variant, Algo algo, String task, long seed, TrainConfig train) {
        public String name() {
            return group() + "__s" + seed;
        }

        public String group() {
            return methodName() + "__" + algo.configName() + "__" + task;
        }

        /** The method's name with the variant suffix ({@code -r16}, {@code -d0.3}) when the grid varies it. */
        public String methodName() {
            return method.name() + variant;
        }
    }

    /** Every cell, in a stable order. */
    public List<Cell> cells() {
        List<Cell> out = new ArrayList<>();
        for (Method method : methods) {
            for (Object variant : variants(method)) {
                String suffix = method instanceof Method.LowRank && ranks.size() > 1 ? "-r" + variant
                        : method instanceof Method.Sparse && densities.size() > 1 ? "-d" + variant : "";
                for (Algo algo : algorithms) {
                    for (String task : tasks) {
                        for (long seed : seeds) {
                            out.add(new Cell(method, suffix, algo, task, seed, trainConfig(method, variant, algo, task, seed)));
                        }
                    }
                }
                if (matchedLrControl && algorithms.contains(Algo.SFT) && algorithms.contains(Algo.GRPO)) {
                    // The control: GRPO at SFT's learning rate, so a difference that remains is not the rate's.
                    for (String task : tasks) {
                        for (long seed : seeds) {
                            TrainConfig rl = trainConfig(method, variant, Algo.GRPO, task, seed);
                            double sftRate = trainConfig(method, variant, Algo.SFT, task, seed).learningRate();
                            out.add(new Cell(method, suffix + MATCHED_LR, Algo.GRPO, task, seed,
                                    rl.toBuilder().learningRate(sftRate).build()));
                        }
                    }
                }
            }
        }
        return out;
    }

    /** The values a method varies over: ranks for low-rank methods, densities for sparse ones. */
    private List<?> variants(Method method) {
        return method instanceof Method.LowRank ? ranks : method instanceof Method.Sparse ? densities : List.of(0);
    }

    private TrainConfig trainConfig(Method method, Object variant, Algo algo, String task, long seed) {
        TrainConfig c = TrainConfig.fromTree(train).overlay(algo == Algo.SFT ? sft : grpo);
        int rank = variant instanceof Integer r ? r : ranks.get(0);
        double density = variant instanceof Double d ? d : densities.get(0);
        TrainConfig.Builder cell = c.toBuilder().algo(algo).tasks(List.of(task)).levels(levels).seed(seed)
                .adapter(method.adapter(rank, density, principalRank, seed));
        if (method instanceof Method.Full) {
            cell.learningRate(c.learningRate() * fullLrScale);
        }
        return cell.build();
    }
}
