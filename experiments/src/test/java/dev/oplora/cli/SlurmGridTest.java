package dev.oplora.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.oplora.report.ReportWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The quick grid through a real single-node Slurm cluster ({@code experiments/slurm/local-cluster.sh},
 * Debian's slurm-wlm): submitted as an array job with {@code --wait}, every cell must have run as
 * a task of that array (Slurm's own job-completion log), and the report must equal the local
 * executor's, times aside. Skipped, saying why, only where apt (and root) are not available.
 */
class SlurmGridTest {

    @TempDir
    static Path dir;

    @Test
    void quickGridOnSlurmMatchesTheLocalExecutor() throws Exception {
        Path script = repository().resolve("experiments/slurm/local-cluster.sh");
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/apt-get")) && "root".equals(System.getProperty("user.name")),
                "a single-node Slurm cluster needs Debian's apt and root (CI has both); this machine has not");
        Path state = dir.resolve("slurm-state");
        List<String> cluster = run(List.of("bash", script.toString(), "start"), state, null);
        Path conf = state.resolve("oplora-test-slurm.conf");
        try {
            Path config = dir.resolve("grid.json");
            ObjectMapper json = new ObjectMapper();
            ObjectNode grid = (ObjectNode) json.readTree(DemoCommand.class.getResourceAsStream("/configs/demo-quick.json"));
            grid.putArray("methods").add("lora").add("op-lora");
            grid.put("matched_lr_control", false);
            Files.writeString(config, grid.toString());

            Path local = dir.resolve("local");
            assertEquals(0, Main.execute("grid", "--config", config.toString(), "--out", local.toString()));
            ReportWriter.write(local);

            Path slurm = dir.resolve("slurm");
            List<String> out = run(List.of(java(), "-Xmx2g", "--add-modules", "jdk.incubator.vector", "-Dai.djl.offline=true",
                    "-Doplora.threads=1", "-cp", System.getProperty("java.class.path"), Main.class.getName(), "grid",
                    "--config", config.toString(), "--out", slurm.toString(), "--executor", "slurm", "--wait",
                    "--cpus-per-task", "1", "--mem", "3000", "--array-limit", "2"), state, conf);
            String printed = String.join("\n", out);
            Matcher array = Pattern.compile("submitted as array job (\\d+)").matcher(printed);
            assertTrue(array.find(), printed);
            assertTrue(Files.isRegularFile(slurm.resolve("report.md")), "the finishing job wrote the report");

            int cells = (int) Files.list(local.resolve("cells")).count();
            Set<String> tasks = new TreeSet<>();
            for (String line : Files.readAllLines(state.resolve("jobcomp.txt"))) {
                if (line.contains(" ArrayJobId=" + array.group(1) + " ") && line.contains("JobState=COMPLETED")) {
                    Matcher task = Pattern.compile("ArrayTaskId=(\\d+)").matcher(line);
                    assertTrue(task.find(), line);
                    tasks.add(task.group(1));
                }
            }
            assertEquals(cells, tasks.size(), "every cell ran as a completed task of array job " + array.group(1) + ": " + tasks);
            assertEquals(withoutTimes(local), withoutTimes(slurm), "the same results as the local executor");
            assertTrue(Files.isRegularFile(slurm.resolve("report.md")));
            assertTrue(printed.contains(cells + " done"), printed);
        } finally {
            run(List.of("bash", script.toString(), "stop"), state, null);
        }
        assertTrue(String.join("\n", cluster).contains("SLURM_CONF="), String.join("\n", cluster));
    }

    /** results.csv without the seconds column. */
    private static List<String> withoutTimes(Path grid) throws IOException {
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(grid.resolve("results.csv"))) {
            out.add(line.substring(0, line.lastIndexOf(',')));
        }
        return out;
    }

    private static List<String> run(List<String> command, Path state, Path conf) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("OPLORA_SLURM_DIR", state.toString());
        if (conf != null) {
            builder.environment().put("SLURM_CONF", conf.toString());
        }
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.waitFor(), String.join(" ", command.subList(0, Math.min(3, command.size()))) + ":\n" + out);
        return out.lines().toList();
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static Path repository() {
        Path here = Path.of("").toAbsolutePath();
        for (Path p = here; p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("experiments/slurm/local-cluster.sh"))) {
                return p;
            }
        }
        throw new IllegalStateException("experiments/slurm/local-cluster.sh not found above " + here);
    }
}
