package dev.oplora.grid;

import dev.oplora.files.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Runs a grid on a Slurm cluster: the base is made first (where the command runs), then one
 * array job with a task per pending cell ({@code OUT/slurm/grid.sbatch}, cells listed in
 * {@code OUT/slurm/cells.txt}), and a job that depends on it ({@code afterany}) and ends the run
 * with the cross-run diagnosis of each group of seeds and the report
 * ({@code OUT/slurm/finish.sbatch}). Tasks run {@code oplora grid --run-cell NAME}, which claims the cell, so a
 * re-submit runs only what is missing. OUT must be on a file system every node sees; the JVM and
 * class path of the submitting command are used on the nodes.
 */
public final class SlurmExecutor {

    /**
     * What the scripts ask of Slurm.
     *
     * @param arrayLimit at most this many tasks at once ({@code --array=0-N%limit}), or null
     * @param extraLines more {@code #SBATCH} lines, as written (e.g. "--qos=short")
     */
    public record Options(String partition, String time, Integer cpusPerTask, String mem, String account,
                          List<String> extraLines, Integer arrayLimit) {
        public Options {
            extraLines = extraLines == null ? List.of() : List.copyOf(extraLines);
        }
    }

    /** The scripts written and, unless a dry run, the submitted job ids (null when not submitted). */
    public record Submission(Path gridScript, Path finishScript, List<String> cells, String arrayJob, String finishJob) {
        public List<String> jobs() {
            List<String> out = new ArrayList<>();
            if (arrayJob != null) {
                out.add(arrayJob);
            }
            if (finishJob != null) {
                out.add(finishJob);
            }
            return out;
        }
    }

    private SlurmExecutor() {
    }

    /** Prepares the run, writes the scripts and, unless {@code dryRun}, submits them. */
    public static Submission submit(GridConfig config, Path out, Options options, boolean dryRun, Consumer<String> log)
            throws IOException {
        Path root = out.toAbsolutePath();
        if (dryRun) {
            GridRunner.writeConfig(config, root); // a dry run trains nothing, the base included
        } else {
            GridRunner.prepare(config, root, log);
        }
        List<String> pending = new ArrayList<>();
        for (GridConfig.Cell cell : config.cells()) {
            if (!GridRunner.isDone(root.resolve("cells").resolve(cell.name()))) {
                pending.add(cell.name());
            }
        }
        Path folder = root.resolve("slurm");
        Files.createDirectories(folder.resolve("logs"));
        AtomicFiles.writeString(folder.resolve("cells.txt"), pending.isEmpty() ? "" : String.join("\n", pending) + "\n");
        Path grid = folder.resolve("grid.sbatch");
        Path finish = folder.resolve("finish.sbatch");
        AtomicFiles.writeString(grid, gridScript(root, options, pending.size()));
        AtomicFiles.writeString(finish, finishScript(root, options));
        if (dryRun) {
            return new Submission(grid, finish, pending, null, null);
        }
        String array = pending.isEmpty() ? null : Slurm.submit(grid, List.of());
        String done = Slurm.submit(finish, array == null ? List.of() : List.of("--dependency=afterany:" + array));
        log.accept("submitted " + pending.size() + " cells as array job " + array + ", then job " + done);
        return new Submission(grid, finish, pending, array, done);
    }

    /** Blocks until the submission's jobs have all ended. */
    public static void waitFor(Submission submission, Consumer<String> log) throws InterruptedException {
        Slurm.waitFor(submission.jobs(), log);
    }

    /** The array job: task i runs the i-th line of cells.txt. */
    static String gridScript(Path out, Options o, int cells) {
        StringBuilder s = header("oplora-grid", o, out.resolve("slurm/logs/%A_%a.out"));
        s.append("#SBATCH --array=0-").append(Math.max(0, cells - 1))
                .append(o.arrayLimit() == null ? "" : "%" + o.arrayLimit()).append('\n');
        extras(s, o);
        s.append("set -euo pipefail\n");
        s.append("cell=\"$(sed -n \"$((SLURM_ARRAY_TASK_ID + 1))p\" ").append(quote(out.resolve("slurm/cells.txt"))).append(")\"\n");
        s.append(java(o)).append(" grid --run-cell \"$cell\" --out ").append(quote(out)).append('\n');
        return s.toString();
    }

    /** The job after the array: cross-run diagnosis of every group of seeds. */
    static String finishScript(Path out, Options o) {
        StringBuilder s = header("oplora-grid-finish", o, out.resolve("slurm/logs/finish-%j.out"));
        extras(s, o);
        s.append("set -euo pipefail\n");
        s.append(java(o)).append(" grid --finish --out ").append(quote(out)).append('\n');
        return s.toString();
    }

    private static StringBuilder header(String name, Options o, Path log) {
        StringBuilder s = new StringBuilder("#!/bin/bash\n#SBATCH --job-name=").append(name).append('\n');
        s.append("#SBATCH --output=").append(log).append('\n');
        line(s, "partition", o.partition());
        line(s, "time", o.time());
        line(s, "cpus-per-task", o.cpusPerTask() == null ? null : o.cpusPerTask().toString());
        line(s, "mem", o.mem());
        line(s, "account", o.account());
        return s;
    }

    private static void extras(StringBuilder s, Options o) {
        for (String extra : o.extraLines()) {
            s.append("#SBATCH ").append(extra.strip()).append('\n');
        }
    }

    private static void line(StringBuilder s, String option, String value) {
        if (value != null) {
            s.append("#SBATCH --").append(option).append('=').append(value).append('\n');
        }
    }

    /** This JVM and class path, with the launcher's settings; threads from the task's CPUs. */
    private static String java(Options o) {
        String threads = "${SLURM_CPUS_PER_TASK:-" + (o.cpusPerTask() == null ? 1 : o.cpusPerTask()) + "}";
        return "OMP_NUM_THREADS=" + threads + " " + quote(Path.of(System.getProperty("java.home"), "bin", "java"))
                + " -Xmx8g --add-modules jdk.incubator.vector -Djava.awt.headless=true -Dai.djl.offline=true"
                + " -Doplora.threads=" + threads + " -cp " + quote(System.getProperty("java.class.path"))
                + " dev.oplora.cli.Main";
    }

    private static String quote(Object value) {
        return "'" + value.toString().replace("'", "'\\''") + "'";
    }
}
