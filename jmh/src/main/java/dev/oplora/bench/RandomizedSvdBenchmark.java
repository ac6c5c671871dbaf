package dev.oplora.bench;

import dev.oplora.runtime.NativeThreads;
import dev.oplora.svd.RandomizedSvd;
import dev.oplora.svd.Svd;
import dev.oplora.svd.Svds;
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

/** Full gesdd vs partial gesvdx vs randomized top-k on one matrix with a 1/i spectrum (float32 or float64). */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Dai.djl.offline=true", "-Xmx8g", "--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 1)
@Measurement(iterations = 3)
public class RandomizedSvdBenchmark {

    @Param({"4096x4096", "896x4864", "1024x1024"})
    public String shape;

    @Param({"64"})
    public int k;

    @Param({"FLOAT"})
    public String type;

    private INDArray w;

    @Setup
    public void setup() {
        NativeThreads.configure();
        String[] dims = shape.split("x");
        w = Spectra.harmonic(Integer.parseInt(dims[0]), Integer.parseInt(dims[1]), DataType.valueOf(type), 11);
    }

    @Benchmark
    public Svd fullGesdd() {
        return Svds.full(w);
    }

    @Benchmark
    public Svd partialTop() {
        return Svds.top(w, k);
    }

    @Benchmark
    public Svd partialBottom() {
        return Svds.bottom(w, k);
    }

    @Benchmark
    public Svd randomizedQ1() {
        return RandomizedSvd.compute(w, k, 10, 1, 3).svd();
    }

    @Benchmark
    public Svd randomizedQ2() {
        return RandomizedSvd.compute(w, k, 10, 2, 3).svd();
    }
}
