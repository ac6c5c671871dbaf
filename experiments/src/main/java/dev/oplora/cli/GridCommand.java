package dev.oplora.cli;

import dev.oplora.grid.GridConfig;
import dev.oplora.grid.GridRunner;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "grid", mixinStandardHelpOptions = true,
        description = "Run the PEFT ablation grid (methods x algorithms x tasks x seeds); resumable, one SVD cache for all cells.")
final class GridCommand implements Callable<Integer> {

    @Option(names = "--config", required = true, description = "Grid config JSON (see experiments/configs).")
    Path config;

    @Option(names = "--out", required = true, description = "Output folder (cells, groups, base, svd-cache).")
    Path out;

    @Option(names = "--workers", defaultValue = "1", description = "Cells run in parallel (1 suits 2 cores: each cell uses every core).")
    int workers;

    @Override
    public Integer call() throws Exception {
        GridRunner.Summary s = GridRunner.run(GridConfig.read(config), out, workers, line -> System.err.println("grid: " + line));
        System.out.printf("grid: %d cells, %d ran, %d already done, %d failed; results under %s%n", s.cells(), s.ran(), s.skipped(),
                s.failed(), out.resolve("cells"));
        return s.failed() == 0 ? 0 : 5;
    }
}
