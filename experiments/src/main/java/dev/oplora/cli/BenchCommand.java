package dev.oplora.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Run the JMH suite through jmh/run.sh (arguments go to JMH, e.g. ProjectionBenchmark -p shape=4096x4096) "
                + "and print the ratio table; results in jmh/results/.")
final class BenchCommand implements Callable<Integer> {

    @Parameters(arity = "0..*", paramLabel = "JMH_ARGS", description = "Benchmark regex and JMH options.")
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        String home = System.getProperty("oplora.home");
        Path script = home == null ? null : Path.of(home, "jmh", "run.sh");
        if (script == null || !Files.isRegularFile(script)) {
            throw new IllegalStateException("jmh/run.sh not found: run bench through the ./oplora launcher in the repository");
        }
        List<String> command = new ArrayList<>(List.of("bash", script.toString()));
        command.addAll(args);
        return new ProcessBuilder(command).directory(Path.of(home).toFile()).inheritIO().start().waitFor();
    }
}
