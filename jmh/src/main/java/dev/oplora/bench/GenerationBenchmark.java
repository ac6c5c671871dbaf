package dev.oplora.bench;

import ai.djl.ndarray.NDManager;
import dev.oplora.adapters.Engines;
import dev.oplora.model.Generator;
import dev.oplora.model.ModelConfig;
import dev.oplora.model.Transformer;
import dev.oplora.train.Rng;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/** 64 new tokens for a batch of 64 prompts: KV cache vs recomputing the whole prefix each step. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Dai.djl.offline=true", "-Xmx8g", "--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 3)
@Measurement(iterations = 5)
public class GenerationBenchmark {

    /** hidden x layers: the tiny demo policy and a hidden-256, 4-layer policy. */
    @Param({"96x3", "256x4"})
    public String model;

    @Param({"64"})
    public int batch;

    @Param({"64"})
    public int newTokens;

    private NDManager manager;
    private Generator generator;
    private final List<int[]> prompts = new ArrayList<>();

    @Setup(Level.Trial)
    public void setup() {
        manager = Engines.newManager();
        int hidden = Integer.parseInt(model.split("x")[0]);
        int layers = Integer.parseInt(model.split("x")[1]);
        ModelConfig config = ModelConfig.llama(22, hidden, 2 * hidden, layers, 4, 2, 128);
        Transformer transformer = Transformer.random(config, manager, 3, false);
        generator = new Generator(transformer, -1, 0); // no EOS: always the full 64 tokens
        for (int i = 0; i < batch; i++) {
            prompts.add(new int[] {1, 5 + i % 10, 14, 6 + i % 7, 21});
        }
    }

    @TearDown(Level.Trial)
    public void close() {
        manager.close();
    }

    @Benchmark
    public int kvCache() {
        return generator.generate(prompts, new Generator.Sampling(newTokens, 0, 1, true), new Rng(1)).get(0).length;
    }

    @Benchmark
    public int recompute() {
        return generator.generate(prompts, new Generator.Sampling(newTokens, 0, 1, false), new Rng(1)).get(0).length;
    }
}
