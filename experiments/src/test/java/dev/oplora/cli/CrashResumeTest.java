package dev.oplora.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.oplora.model.ModelConfig;
import dev.oplora.tokenizer.CharTokenizer;
import dev.oplora.train.Algo;
import dev.oplora.train.Checkpoints;
import dev.oplora.train.Runs;
import dev.oplora.train.TrainConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code oplora train --resume} survives SIGKILL: a GRPO run (num_iterations 2, so checkpoints
 * fall inside a rollout's reuse; save_steps 3) runs in a child process that is killed at seeded
 * random moments, during rollouts, backward passes and checkpoint writes alike, and resumed each
 * time. The final adapter file must be byte-identical to an uninterrupted run's, and
 * metrics.jsonl identical except for its timing fields.
 */
class CrashResumeTest {

    static final int KILLS = 8;
    static final int STEPS = 36;
    /** About how long a child JVM takes to start training (engine start, base load). */
    static final double STARTUP_SECONDS = 1.0;

    @TempDir
    static Path dir;

    @Test
    void killedRunsResumeToTheUninterruptedResult() throws Exception {
        Path base = tinyBase();
        Path config = dir.resolve("grpo.json");
        Files.writeString(config, TrainConfig.builder().algo(Algo.GRPO).tasks(List.of("addition")).levels(List.of(1))
                .maxSteps(STEPS).batchSize(32).numGenerations(4).maxCompletionLength(4).learningRate(0.01).numIterations(2)
                .saveSteps(3).saveTotalLimit(2).loggingSteps(1).testPerLevel(8).geometrySteps(3).seed(5L)
                .adapter(dev.oplora.adapters.config.AdapterConfig.parse("{\"r\": 4, \"init_lora_weights\": \"op-lora\","
                        + " \"projected\": true, \"principal_rank\": 4, \"target_modules\": [\"q_proj\", \"v_proj\", \"down_proj\"]}"))
                .build().toJson());
        Path reference = dir.resolve("uninterrupted");
        long start = System.nanoTime();
        assertEquals(0, train(base, config, reference).waitFor(), "uninterrupted run");
        double seconds = (System.nanoTime() - start) / 1e9;

        Path out = dir.resolve("killed");
        Random random = new Random(20261202);
        // Kill points spread over the run: after the log shows a random step, wait a random part of
        // about two steps (into that step's rollout, backward, logging or checkpoint) and SIGKILL.
        // One random step in each of KILLS equal stretches of the run, each past what the log already holds.
        double stepMillis = 1000 * Math.max(0.05, seconds - STARTUP_SECONDS) / STEPS;
        List<String> kills = new ArrayList<>();
        for (int i = 0; i < KILLS; i++) {
            int target = Math.max(lines(out) + 1, 1 + (int) ((i + random.nextDouble()) * (STEPS - 1) / KILLS));
            List<Path> before = unfinishedSaves(out);
            Process run = train(base, config, out);
            while (run.isAlive() && lines(out) < target) {
                Thread.sleep(5);
            }
            long delay = (long) (2 * stepMillis * random.nextDouble());
            if (run.waitFor(delay, TimeUnit.MILLISECONDS)) {
                kills.add("finished before the kill after step " + target);
                break;
            }
            run.destroyForcibly().waitFor();
            boolean cutSave = unfinishedSaves(out).stream().anyMatch(p -> !before.contains(p));
            kills.add("killed " + delay + " ms after the log reached step " + target + ": newest checkpoint " + newest(out)
                    + (cutSave ? ", while writing a checkpoint" : "") + ", " + lines(out) + " metrics lines");
        }
        assertEquals(0, train(base, config, out).waitFor(), "the final resumed run completes");
        System.out.println("crash-resume: uninterrupted run " + String.format("%.1f s", seconds) + "; kill points tried: "
                + kills.size() + "\n  " + String.join("\n  ", kills));

        assertArrayEquals(Files.readAllBytes(reference.resolve("adapter/adapter_model.safetensors")),
                Files.readAllBytes(out.resolve("adapter/adapter_model.safetensors")), "final adapter weights");
        assertEquals(withoutTimes(reference), withoutTimes(out), "metrics.jsonl but for step_time and tokens_per_second");
        assertTrue(kills.stream().anyMatch(k -> k.startsWith("killed")), "at least one run was killed");
    }

    /** A few dozen SFT steps of a tiny model: enough to give GRPO some right answers. */
    private static Path tinyBase() throws IOException {
        ModelConfig model = ModelConfig.llama(CharTokenizer.arithmetic().vocabSize(), 32, 64, 2, 4, 2, 24);
        TrainConfig sft = TrainConfig.builder().algo(Algo.SFT).tasks(List.of("addition")).levels(List.of(1)).maxSteps(60)
                .batchSize(32).learningRate(0.003).testPerLevel(8).seed(1L).build();
        Runs.pretrain(model, sft, dir.resolve("base"), false);
        return dir.resolve("base/model");
    }

    /** {@code oplora train --resume} in a child JVM with this test's class path. */
    private static Process train(Path base, Path config, Path out) throws IOException {
        Files.createDirectories(out);
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx2g", "-Dai.djl.offline=true", "--add-modules", "jdk.incubator.vector",
                "-Doplora.threads=" + System.getProperty("oplora.threads", "2"),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "train", "--model", base.toString(),
                "--config", config.toString(), "--out", out.toString(), "--resume"));
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("child.log").toFile())).start();
    }

    private static String newest(Path out) throws IOException {
        Path latest = Checkpoints.latest(out);
        return latest == null ? "none" : latest.getFileName().toString();
    }

    /** Temp folders of checkpoint saves that never reached their rename. */
    private static List<Path> unfinishedSaves(Path out) throws IOException {
        Path root = out.resolve(Checkpoints.FOLDER);
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(root)) {
            return entries.filter(p -> p.getFileName().toString().startsWith(".step-")).toList();
        }
    }

    private static int lines(Path out) throws IOException {
        Path metrics = out.resolve(Runs.METRICS);
        return Files.isRegularFile(metrics) ? Files.readAllLines(metrics).size() : 0;
    }

    private static List<String> withoutTimes(Path out) throws IOException {
        return Files.readAllLines(out.resolve(Runs.METRICS)).stream()
                .map(l -> l.replaceAll(",\"(step_time|tokens_per_second)\":[^,}]*", "")).toList();
    }
}
