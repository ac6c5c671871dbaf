package dev.oplora.grid;

import dev.oplora.adapters.Engines;
import dev.oplora.diagnose.Diagnoser;
import dev.oplora.diagnose.Diagnosis;
import dev.oplora.files.AtomicFiles;
import dev.oplora.model.ModelConfig;
import dev.oplora.svd.SvdCache;
import dev.oplora.tokenizer.CharTokenizer;
import dev.oplora.train.Algo;
import dev.oplora.train.Runs;
import dev.oplora.train.TrainConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * Runs a grid: the base (given or pretrained once into OUT/base), then every cell into
 * OUT/cells/NAME (train, then diagnose the merged model against the base), then the cross-run
 * diagnosis of each group of seeds into OUT/groups/GROUP. A cell is done when its
 * {@code result.json} says "ok": a re-run skips it. A failing cell writes its error there and
 * the others go on. All cells share one SVD cache (OUT/svd-cache).
 */
public final class GridRunner {

    public static final String RESULT = CellResult.FILE;
    public static final String CONFIG = "grid_config.json";

    private GridRunner() {
    }

    /** Summary of a grid run. */
    public record Summary(int cells, int ran, int skipped, int failed, Path out) {
    }

    public static Summary run(GridConfig config, Path out, int workers, Consumer<String> log) throws Exception {
        if (workers < 1) {
            throw new IllegalArgumentException("--workers must be >= 1, got " + workers);
        }
        Path base = prepare(config, out, log);
        SvdCache cache = new SvdCache(out.resolve("svd-cache"));
        List<GridConfig.Cell> cells = config.cells();
        int[] counts = new int[3];
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        try {
            List<Future<CellResult.Status>> futures = new ArrayList<>();
            for (GridConfig.Cell cell : cells) {
                Path dir = out.resolve("cells").resolve(cell.name());
                if (isDone(dir)) {
                    counts[1]++;
                    log.accept("skip " + cell.name() + " (done)");
                    continue;
                }
                futures.add(pool.submit(() -> runCell(cell, base, dir, cache, config, log)));
            }
            for (Future<CellResult.Status> f : futures) {
                if (f.get() == CellResult.Status.OK) {
                    counts[0]++;
                } else {
                    counts[2]++;
                }
            }
        } finally {
            pool.shutdown();
        }
        crossRun(config, base, out, log);
        return new Summary(cells.size(), counts[0], counts[1], counts[2], out);
    }

    /** Writes grid_config.json and makes the base (pretraining it when the config asks); returns the base folder. */
    public static Path prepare(GridConfig config, Path out, Consumer<String> log) throws IOException {
        writeConfig(config, out);
        return base(config, out, log);
    }

    /** Creates the run folder and writes grid_config.json, which every later step reads. */
    static void writeConfig(GridConfig config, Path out) throws IOException {
        Files.createDirectories(out);
        AtomicFiles.writeJson(out.resolve(CONFIG), config);
    }

    /** The grid config a prepared run folder holds. */
    public static GridConfig config(Path out) throws IOException {
        return GridConfig.read(out.resolve(CONFIG));
    }

    /**
     * Runs one cell by name in its own process (a Slurm array task): claims the cell first, so
     * two tasks never write the same cell; a done cell is left as it is. Returns its status, or
     * null when another live task holds the claim.
     */
    public static CellResult.Status runOne(Path out, String name, Consumer<String> log) throws IOException {
        GridConfig config = config(out);
        GridConfig.Cell cell = config.cells().stream().filter(c -> c.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(out + ": the grid has no cell '" + name + "'"));
        Path dir = out.resolve("cells").resolve(name);
        if (isDone(dir)) {
            log.accept("skip " + name + " (done)");
            return CellResult.Status.OK;
        }
        try (CellClaim claim = CellClaim.take(dir)) {
            if (claim == null) {
                log.accept("skip " + name + " (claimed by a running task)");
                return null;
            }
            return runCell(cell, base(config, out, log), dir, new SvdCache(out.resolve("svd-cache")), config, log);
        }
    }

    /** After every cell: the cross-run diagnosis of each group of seeds (what a run ends with). */
    public static void finish(Path out, Consumer<String> log) throws IOException {
        GridConfig config = config(out);
        crossRun(config, base(config, out, log), out, log);
    }

    static boolean isDone(Path dir) throws IOException {
        Path result = dir.resolve(RESULT);
        return Files.isRegularFile(result) && CellResult.read(result).ok();
    }

    private static Path base(GridConfig config, Path out, Consumer<String> log) throws IOException {
        if (config.base() != null) {
            Path base = Path.of(config.base());
            if (!Files.isDirectory(base)) {
                throw new IllegalArgumentException("grid config 'base': " + base + " is not a model folder");
            }
            return base;
        }
        Path model = out.resolve("base").resolve("model");
        if (Files.isRegularFile(model.resolve("model.safetensors"))) {
            log.accept("base: reusing " + model);
            return model;
        }
        GridConfig.Pretrain p = config.pretrain();
        TrainConfig train = TrainConfig.fromTree(p.train()).toBuilder().algo(Algo.SFT).build();
        int hidden = p.hidden() == null ? 64 : p.hidden();
        ModelConfig modelConfig = ModelConfig.llama(CharTokenizer.arithmetic().vocabSize(), hidden, 2 * hidden,
                p.layers() == null ? 2 : p.layers(), p.heads() == null ? 4 : p.heads(), p.kvHeads() == null ? 2 : p.kvHeads(),
                p.context() == null ? 32 : p.context());
        log.accept("base: pretraining " + train.maxSteps() + " steps");
        long start = System.nanoTime();
        Runs.Result result = Runs.pretrain(modelConfig, train, out.resolve("base"), p.storage(), false,
                Runs.resumable(out.resolve("base"), train));
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("seconds", (System.nanoTime() - start) / 1e9);
        summary.put("evaluation", result.evaluation());
        AtomicFiles.writeJson(out.resolve("base").resolve(RESULT), summary);
        log.accept("base: held-out accuracy " + result.evaluation().get("eval/accuracy"));
        return model;
    }

    private static CellResult.Status runCell(GridConfig.Cell cell, Path base, Path dir, SvdCache cache, GridConfig config,
                                             Consumer<String> log) throws IOException {
        long start = System.nanoTime();
        CellResult.Status status;
        String error = null;
        Map<String, Double> evaluation = null;
        Map<String, Double> geometry = null;
        Map<String, Double> trained = null;
        try {
            Engines.noGradientsOnThisThread();
            Files.createDirectories(dir);
            // A cell that was cut short continues from its own newest checkpoint (when its config saves
            // any and has not changed since); otherwise it starts over.
            Runs.Result run = Runs.finetune(base, cell.train(), dir, cache, false, Runs.resumable(dir, cell.train()));
            Diagnosis d = Diagnoser.run(base, List.of(dir.resolve("merged")), config.diagnoseK(), config.diagnoseAlpha(), name -> { });
            AtomicFiles.writeJson(dir.resolve("diagnosis.json"), d);
            status = run.stopReason() == null ? CellResult.Status.OK : CellResult.Status.STOPPED;
            error = run.stopReason();
            evaluation = run.evaluation();
            geometry = d.runs().get(0).summary();
            trained = d.runs().get(0).summaryTrained();
        } catch (Exception | Error e) {
            status = CellResult.Status.FAILED;
            error = e.toString();
        }
        CellResult result = new CellResult(cell.name(), cell.group(), cell.methodName(), cell.algo(), cell.task(),
                cell.seed(), status, error, evaluation, geometry, (System.nanoTime() - start) / 1e9, trained);
        result.write(dir.resolve(RESULT));
        log.accept(status.configName() + " " + cell.name() + String.format(" (%.1f s)", result.seconds())
                + (error != null ? ": " + error : ""));
        return status;
    }

    /** For each group with two or more finished seeds: diagnose all their merged models together. */
    private static void crossRun(GridConfig config, Path base, Path out, Consumer<String> log) throws IOException {
        Map<String, List<Path>> groups = new LinkedHashMap<>();
        for (GridConfig.Cell cell : config.cells()) {
            Path dir = out.resolve("cells").resolve(cell.name());
            if (isDone(dir)) {
                groups.computeIfAbsent(cell.group(), g -> new ArrayList<>()).add(dir.resolve("merged"));
            }
        }
        for (Map.Entry<String, List<Path>> g : groups.entrySet()) {
            Path file = out.resolve("groups").resolve(g.getKey()).resolve("diagnosis.json");
            if (g.getValue().size() < 2 || Files.isRegularFile(file)) {
                continue;
            }
            Diagnosis d = Diagnoser.run(base, g.getValue(), config.diagnoseK(), config.diagnoseAlpha(), name -> { });
            AtomicFiles.writeJson(file, d);
            log.accept("cross-run " + g.getKey() + " (" + g.getValue().size() + " seeds)");
        }
    }

    /** Reads every cell result under OUT/cells, in folder-name order. */
    public static List<CellResult> results(Path out) throws IOException {
        List<CellResult> results = new ArrayList<>();
        Path cells = out.resolve("cells");
        if (!Files.isDirectory(cells)) {
            return results;
        }
        try (var dirs = Files.list(cells)) {
            for (Path dir : dirs.sorted().toList()) {
                Path file = dir.resolve(RESULT);
                if (Files.isRegularFile(file)) {
                    results.add(CellResult.read(file));
                }
            }
        }
        return results;
    }
}
