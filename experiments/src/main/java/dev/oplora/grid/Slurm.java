package dev.oplora.grid;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** The Slurm commands the grid uses: sbatch to submit, squeue to see what still runs. */
final class Slurm {

    private Slurm() {
    }

    /** Submits {@code script} with extra sbatch arguments; returns the job id. */
    static String submit(Path script, List<String> arguments) throws IOException {
        List<String> command = new ArrayList<>(List.of("sbatch", "--parsable"));
        command.addAll(arguments);
        command.add(script.toString());
        String out = run(command);
        String id = out.strip().split(";")[0];
        if (!id.matches("\\d+")) {
            throw new IllegalStateException("sbatch " + script + " did not print a job id: " + out);
        }
        return id;
    }

    /** Whether job {@code id} (or any task of the array {@code id}) is pending or running. */
    static boolean running(String id) {
        try {
            return !run(List.of("squeue", "-h", "-j", id, "-o", "%i")).isBlank();
        } catch (IOException | IllegalStateException e) {
            return false; // squeue refuses ids it has forgotten: the job is over
        }
    }

    /** Blocks until none of {@code ids} is pending or running. */
    static void waitFor(List<String> ids, Consumer<String> log) throws InterruptedException {
        long start = System.nanoTime();
        while (ids.stream().anyMatch(Slurm::running)) {
            TimeUnit.SECONDS.sleep(2);
        }
        log.accept(String.format("jobs %s ended after %.0f s", ids, (System.nanoTime() - start) / 1e9));
    }

    private static String run(List<String> command) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (process.waitFor() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + out.strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + command.get(0), e);
        }
        return out;
    }
}
