package dev.oplora.cli;

import dev.oplora.grid.CellResult;
import dev.oplora.grid.GridConfig;
import dev.oplora.grid.GridRunner;
import dev.oplora.grid.GridStatus;
import dev.oplora.grid.SlurmExecutor;
import dev.oplora.report.ReportWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "grid", mixinStandardHelpOptions = true,
        description = "Run the PEFT ablation grid (methods x algorithms x tasks x seeds) here or on Slurm; resumable, "
                + "one SVD cache for all cells. --status RUN shows where each cell of a run stands.")
final class GridCommand implements Callable<Integer> {

    @Option(names = "--config", description = "Grid config JSON (see experiments/configs).")
    Path config;

    @Option(names = "--out", description = "Output folder (cells, groups, base, svd-cache; slurm/ with the scripts).")
    Path out;

    @Option(names = "--executor", defaultValue = "local", description = "local (worker threads here) or slurm (an array job).")
    String executor;

    @Option(names = "--workers", defaultValue = "1", description = "local: cells run in parallel (1 suits 2 cores: each cell uses every core).")
    int workers;

    @Option(names = "--partition", description = "slurm: partition.")
    String partition;

    @Option(names = "--time", description = "slurm: time limit per cell (e.g. 02:00:00).")
    String time;

    @Option(names = "--cpus-per-task", description = "slurm: CPUs per cell (also its thread count).")
    Integer cpusPerTask;

    @Option(names = "--mem", description = "slurm: memory per cell (e.g. 16G).")
    String mem;

    @Option(names = "--account", description = "slurm: account to charge.")
    String account;

    @Option(names = "--sbatch-line", description = "slurm: another #SBATCH line, as written (repeatable), e.g. --qos=short.")
    List<String> sbatchLines = new ArrayList<>();

    @Option(names = "--array-limit", description = "slurm: at most this many cells at once (the %%N of --array).")
    Integer arrayLimit;

    @Option(names = "--dry-run", description = "slurm: write and print the scripts, submit nothing.")
    boolean dryRun;

    @Option(names = "--wait", description = "slurm: block until the array and the finishing job end; exit 1 if a cell failed.")
    boolean waitForJobs;

    @Option(names = "--status", paramLabel = "RUN", description = "Show done / failed / running / pending cells of a run folder.")
    Path status;

    @Option(names = "--run-cell", hidden = true, description = "Run one cell of the prepared run --out (a Slurm array task).")
    String runCell;

    @Option(names = "--finish", hidden = true, description = "Cross-run diagnosis and report of the prepared run --out (after the array).")
    boolean finish;

    @Override
    public Integer call() throws Exception {
        Consumer<String> log = line -> System.err.println("grid: " + line);
        if (status != null) {
            System.out.print(GridStatus.render(GridStatus.of(status)));
            return 0;
        }
        if (out == null) {
            throw new IllegalArgumentException("--out is required");
        }
        if (runCell != null) {
            CellResult.Status result = GridRunner.runOne(out, runCell, log);
            return result == null || result == CellResult.Status.OK ? 0 : 5;
        }
        if (finish) {
            GridRunner.finish(out, log);
            System.out.println("report: " + ReportWriter.write(out));
            return 0;
        }
        if (config == null) {
            throw new IllegalArgumentException("--config is required");
        }
        GridConfig grid = GridConfig.read(config);
        return switch (executor) {
            case "local" -> local(grid, log);
            case "slurm" -> slurm(grid, log);
            default -> throw new IllegalArgumentException("--executor must be local or slurm, got '" + executor + "'");
        };
    }

    private int local(GridConfig grid, Consumer<String> log) throws Exception {
        GridRunner.Summary s = GridRunner.run(grid, out, workers, log);
        System.out.printf("grid: %d cells, %d ran, %d already done, %d failed; results under %s%n", s.cells(), s.ran(), s.skipped(),
                s.failed(), out.resolve("cells"));
        return s.failed() == 0 ? 0 : 5;
    }

    private int slurm(GridConfig grid, Consumer<String> log) throws Exception {
        SlurmExecutor.Options options = new SlurmExecutor.Options(partition, time, cpusPerTask, mem, account, sbatchLines,
                arrayLimit);
        SlurmExecutor.Submission submission = SlurmExecutor.submit(grid, out, options, dryRun, log);
        if (dryRun) {
            System.out.println("# " + submission.gridScript());
            System.out.print(Files.readString(submission.gridScript()));
            System.out.println("# " + submission.finishScript() + " (after the array: --dependency=afterany)");
            System.out.print(Files.readString(submission.finishScript()));
            return 0;
        }
        System.out.printf("grid: %d pending cells submitted as array job %s; finishing job %s; status: oplora grid --status %s%n",
                submission.cells().size(), submission.arrayJob(), submission.finishJob(), out);
        if (!waitForJobs) {
            return 0;
        }
        SlurmExecutor.waitFor(submission, log);
        Map<String, String> states = GridStatus.of(out);
        System.out.print(GridStatus.render(states));
        return states.containsValue("failed") || states.containsValue("pending") ? 1 : 0;
    }
}
