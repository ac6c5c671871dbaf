package dev.oplora.bench;

import dev.oplora.init.AdapterInit;
import dev.oplora.init.InitOptions;
import dev.oplora.init.LowRankInit;
import dev.oplora.runtime.NativeThreads;
import dev.oplora.svd.SvdSolver;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Initialising every linear layer of a Qwen2.5-0.5B-shaped model (24 layers; hidden 896,
 * intermediate 4864, 14 query and 2 KV heads of 64): op-lora with the randomized top-k SVD,
 * and milora (bottom triplets, gesvdx). Distinct shapes are built once each; the layer count
 * multiplies the work, as a real model would.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Dai.djl.offline=true", "-Xmx8g", "--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 1)
@Measurement(iterations = 2)
public class ModelInitBenchmark {

    @Param({"24"})
    public int layers;

    @Param({"896"})
    public int hidden;

    @Param({"4864"})
    public int intermediate;

    @Param({"128"})
    public int kvDim;

    @Param({"16"})
    public int rank;

    private final List<INDArray> weights = new ArrayList<>();

    @Setup
    public void setup() {
        NativeThreads.configure();
        int kv = kvDim;
        int[][] shapes = {{hidden, hidden}, {kv, hidden}, {kv, hidden}, {hidden, hidden},
            {intermediate, hidden}, {intermediate, hidden}, {hidden, intermediate}};
        for (int[] s : shapes) {
            weights.add(Spectra.harmonic(s[0], s[1], DataType.FLOAT, s[0] * 31L + s[1]));
        }
    }

    private long initAll(AdapterInit init, SvdSolver solver) {
        long checksum = 0;
        for (int layer = 0; layer < layers; layer++) {
            for (INDArray w : weights) {
                LowRankInit out = init.apply(w, new InitOptions(rank, 2.0 * rank, false, 0, layer, solver));
                checksum += out.a().length();
            }
        }
        return checksum;
    }

    @Benchmark
    public long opLoraRandomized() {
        return initAll(new AdapterInit.OpLora(), SvdSolver.Randomized.defaults(1));
    }

    @Benchmark
    public long miloraPartial() {
        return initAll(new AdapterInit.Milora(), new SvdSolver.Partial());
    }
}
