package dev.oplora.bench;

import dev.oplora.runtime.NativeThreads;
import dev.oplora.svd.OffPrincipal;
import dev.oplora.svd.Projector;
import dev.oplora.svd.Subspace;
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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Off-principal projection of an m x n matrix against k orthonormal directions, in place and
 * allocating, one- and two-sided; and, in the same run, one square sgemm with the FLOP count of
 * the one-sided projection (two GEMMs of m x n x k: 4 m n k FLOPs = 2 N^3) as its ceiling.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Dai.djl.offline=true", "-Xmx8g", "--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 4, time = 2)
public class ProjectionBenchmark extends ProjectionShapes {

    private INDArray x;
    private INDArray scratch;
    private Subspace left;
    private Subspace right;
    private Projector leftInPlace;
    private Projector rightInPlace;
    private Projector twoSided;
    private INDArray a;
    private INDArray b;
    private INDArray c;

    @Setup
    public void setup() {
        NativeThreads.configure();
        Nd4j.getRandom().setSeed(7);
        long m = rows();
        long n = cols();
        x = Nd4j.randn(DataType.FLOAT, m, n);
        scratch = x.dup('c');
        left = Subspace.spanOf(Nd4j.randn(DataType.FLOAT, m, k));
        right = Subspace.spanOf(Nd4j.randn(DataType.FLOAT, n, k));
        leftInPlace = Projector.left(left, n);
        rightInPlace = Projector.right(right, m);
        twoSided = Projector.twoSided(left, right);
        long side = Math.round(Math.cbrt(2.0 * m * n * k));
        a = Nd4j.randn(DataType.FLOAT, side, side);
        b = Nd4j.randn(DataType.FLOAT, side, side);
        c = Nd4j.createUninitialized(DataType.FLOAT, new long[] {side, side}, 'c');
    }

    /** The projection is idempotent, so repeated in-place calls do the same work every time. */
    @Benchmark
    public INDArray leftInPlace() {
        return leftInPlace.apply(scratch);
    }

    @Benchmark
    public INDArray rightInPlace() {
        return rightInPlace.apply(scratch);
    }

    @Benchmark
    public INDArray twoSidedInPlace() {
        return twoSided.apply(scratch);
    }

    @Benchmark
    public INDArray leftAllocating() {
        return OffPrincipal.left(left, x);
    }

    @Benchmark
    public INDArray sgemmSameFlops() {
        return Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
    }
}
