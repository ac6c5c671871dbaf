package dev.oplora.bench;

import dev.oplora.geometry.UpdateSparsity;
import dev.oplora.precision.Bf16;
import dev.oplora.precision.Bf16Kernels;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
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
 * bf16 rounding and the diagnose scan (bf16 and atol counts + update mask, one pass) against a
 * plain array copy, with the scalar kernels beside the vector ones. Copy and scan move the same
 * bytes (copy reads one array and writes one, the scan reads two).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Dai.djl.offline=true", "-Xmx8g", "--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 4, time = 2)
public class Bf16Benchmark {

    @Param({"896x4864"})
    public String shape;

    private float[] w0;
    private float[] w1;
    private float[] out;
    private long[] words;
    private long rows;
    private long cols;

    @Setup
    public void setup() {
        rows = Long.parseLong(shape.split("x")[0]);
        cols = Long.parseLong(shape.split("x")[1]);
        int n = Math.toIntExact(rows * cols);
        SplittableRandom random = new SplittableRandom(2);
        w0 = new float[n];
        w1 = new float[n];
        out = new float[n];
        words = new long[(n + 63) / 64];
        for (int i = 0; i < n; i++) {
            w0[i] = (float) random.nextGaussian();
            w1[i] = i % 3 == 0 ? w0[i] * 1.01f : w0[i];
        }
    }

    @Benchmark
    public float[] copy() {
        System.arraycopy(w0, 0, out, 0, w0.length);
        return out;
    }

    @Benchmark
    public float[] roundToBf16() {
        Bf16.round(w0, out, 0, w0.length);
        return out;
    }

    @Benchmark
    public float[] roundToBf16Scalar() {
        Bf16Kernels.scalar().round(w0, out, 0, w0.length);
        return out;
    }

    /** Counts only (no mask). */
    @Benchmark
    public UpdateSparsity.Result sparsityScan() {
        return UpdateSparsity.measure(w0, w1);
    }

    /** What diagnose runs per matrix: counts and the update mask in one pass. */
    @Benchmark
    public UpdateSparsity.Scan diagnoseScan() {
        return UpdateSparsity.scan(rows, cols, w0, w1);
    }

    @Benchmark
    public long[] diagnoseScanScalar() {
        Bf16Kernels.scalar().compare(w0, w1, (float) UpdateSparsity.ATOL, words);
        return words;
    }
}
