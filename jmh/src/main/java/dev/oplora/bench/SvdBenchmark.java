package dev.oplora.bench;

import dev.oplora.runtime.NativeThreads;
import dev.oplora.svd.Svd;
import dev.oplora.svd.Svds;
import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
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

/** Full thin SVD (gesdd) of realistic layer shapes. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Dai.djl.offline=true"})
@Warmup(iterations = 1)
@Measurement(iterations = 3)
public class SvdBenchmark {

    @Param({"1024x1024", "896x4864"})
    public String shape;

    @Param({"FLOAT"})
    public String type;

    private INDArray w;

    @Setup
    public void setup() {
        NativeThreads.configure();
        String[] dims = shape.split("x");
        Nd4j.getRandom().setSeed(1);
        w = Nd4j.randn(DataType.valueOf(type), Long.parseLong(dims[0]), Long.parseLong(dims[1]));
    }

    @Benchmark
    public Svd fullGesdd() {
        return Svds.full(w);
    }
}
