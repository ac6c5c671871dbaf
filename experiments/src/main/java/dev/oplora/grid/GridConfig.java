package dev.oplora.grid;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.oplora.train.TrainConfig;
import java.io.IOException;
import java.nio.file.Files;
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
        @JsonProperty("methods") List<String> methods,
        @JsonProperty("algorithms") List<String> algorithms,
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
        @JsonProperty("diagnose_alpha") Double diagnoseAlpha) {

    /** Model size and SFT budget of the grid's own base. */
    public record Pretrain(@JsonProperty("hidden") Integer hidden, @JsonProperty("layers") Integer layers,
                           @JsonProperty("heads") Integer heads, @JsonProperty("kv_heads") Integer kvHeads,
                           @JsonProperty("context") Integer context, @JsonProperty("train") JsonNode train) {
    }

    static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public GridConfig {
        methods = methods == null ? List.of() : List.copyOf(methods);
        algorithms = algorithms == null ? List.of("sft", "grpo") : List.copyOf(algorithms);
        tasks = tasks == null ? List.of("addition") : List.copyOf(tasks);
        levels = levels == null ? List.of(1, 2) : List.copyOf(levels);
        seeds = seeds == null ? List.of(1L) : List.copyOf(seeds);
        ranks = ranks == null ? List.of(8) : List.copyOf(ranks);
        densities = densities == null ? List.of(0.1) : List.copyOf(densities);
        principalRank = principalRank == null ? 0 : principalRank;
        fullLrScale = fullLrScale == null ? 0.3 : fullLrScale;
        diagnoseK = diagnoseK == null ? 16 : diagnoseK;
        diagnoseAlpha = diagnoseAlpha == null ? 0.5 : diagnoseAlpha;
        if (methods.isEmpty() || algorithms.isEmpty() || tasks.isEmpty() || seeds.isEmpty()) {
            throw new IllegalArgumentException("grid config: methods, algorithms, tasks and seeds must not be empty (the grid would have no cell)");
        }
        for (String m : methods) {
            Methods.adapter(m, 1, 0.5, 0, 0);
        }
        for (String a : algorithms) {
            if (!TrainConfig.ALGOS.contains(a)) {
                throw new IllegalArgumentException("grid config: unknown algorithm '" + a + "': expected one of " + TrainConfig.ALGOS);
            }
        }
        if (base == null && pretrain == null) {
            throw new IllegalArgumentException("grid config: give a base model folder ('base') or a 'pretrain' section");
        }
    }

    public static GridConfig read(Path file) throws IOException {
        try {
            GridConfig config = JSON.readValue(Files.readAllBytes(file), GridConfig.class);
            config.cells(); // validates every cell's train config now, before anything runs
            return config;
        } catch (UnrecognizedPropertyException e) {
            throw new IllegalArgumentException(file + ": unknown grid config field '" + e.getPropertyName() + "'");
        } catch (com.fasterxml.jackson.databind.exc.ValueInstantiationException e) {
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            throw new IllegalArgumentException(file + ": " + root.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /** One run of the grid. */
    public record Cell(String method, String variant, String algo, String task, long seed, TrainConfig train) {
        public String name() {
            return method + variant + "__" + algo + "__" + task + "__s" + seed;
        }

        public String group() {
            return method + variant + "__" + algo + "__" + task;
        }
    }

    /** Every cell, in a stable order. */
    public List<Cell> cells() {
        List<Cell> out = new ArrayList<>();
        for (String method : methods) {
            boolean sparse = method.startsWith("sparse-");
            boolean lowRank = !sparse && !method.equals("full");
            List<Object> variants = new ArrayList<>(lowRank ? ranks : sparse ? densities : List.of(0));
            for (Object variant : variants) {
                String suffix = lowRank && ranks.size() > 1 ? "-r" + variant : sparse && densities.size() > 1 ? "-d" + variant : "";
                for (String algo : algorithms) {
                    for (String task : tasks) {
                        for (long seed : seeds) {
                            out.add(new Cell(method, suffix, algo, task, seed, trainConfig(method, variant, algo, task, seed)));
                        }
                    }
                }
            }
        }
        return out;
    }

    private TrainConfig trainConfig(String method, Object variant, String algo, String task, long seed) {
        TrainConfig c = TrainConfig.parse(train == null ? "{}" : train.toString());
        JsonNode perAlgo = algo.equals("sft") ? sft : grpo;
        if (perAlgo != null) {
            c = c.with(perAlgo.toString());
        }
        int rank = variant instanceof Integer r ? r : ranks.get(0);
        double density = variant instanceof Double d ? d : densities.get(0);
        String adapter = Methods.adapter(method, rank, density, principalRank, seed).toJson();
        c = c.with("{\"algo\": \"" + algo + "\", \"tasks\": [\"" + task + "\"], \"levels\": " + levels + ", \"seed\": " + seed
                + ", \"adapter\": " + adapter + "}");
        if (c.evalSteps() == 0) {
            c = c.with("{\"eval_steps\": " + c.maxSteps() + "}");
        }
        if (method.equals("full")) {
            c = c.with("{\"learning_rate\": " + c.learningRate() * fullLrScale + "}");
        }
        return c;
    }
}
