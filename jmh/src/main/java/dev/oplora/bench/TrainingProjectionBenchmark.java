package dev.oplora.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import dev.oplora.adapters.EngineBridge;
import dev.oplora.adapters.Engines;
import dev.oplora.adapters.LinearLayer;
import dev.oplora.adapters.LoraAdapter;
import dev.oplora.init.AdapterInit;
import dev.oplora.svd.Projector;
import dev.oplora.svd.Subspace;
import java.nio.FloatBuffer;
import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
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

/**
 * The {@code projected} option as training runs it: after each optimizer step a projected
 * LoRA adapter of rank r on a W of the given shape removes A's components along V_k and B's
 * along U_k ({@link LoraAdapter#projectParameters()}, DJL matmuls inside the step's NDScope).
 * Beside it, in the same run: the same two projections by ND4J's in-place {@link Projector} on
 * ND4J copies of A and B; the same again including the copies from and back into the DJL
 * parameters, which is what training would pay to use it; and one square DJL matmul of the
 * same FLOP count (4 r k (in + out) = 2 N^3).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Dai.djl.offline=true", "-Xmx8g", "--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 4, time = 1)
public class TrainingProjectionBenchmark extends ProjectionShapes {

    @Param({"16"})
    public int rank;

    private NDManager manager;
    LoraAdapter adapter;
    INDArray a;
    INDArray b;
    private Projector rows;
    private Projector columns;
    private NDArray left;
    private NDArray right;

    @Setup(Level.Trial)
    public void setup() {
        manager = Engines.newManager();
        manager.getEngine().setRandomSeed(9);
        Nd4j.getRandom().setSeed(9);
        int out = rows();
        int in = cols();
        Subspace uk = Subspace.spanOf(Nd4j.randn(DataType.FLOAT, out, k));
        Subspace vk = Subspace.spanOf(Nd4j.randn(DataType.FLOAT, in, k));
        a = Nd4j.randn(DataType.FLOAT, rank, in);
        b = Nd4j.randn(DataType.FLOAT, out, rank);
        LinearLayer layer = LinearLayer.frozen(manager.zeros(new Shape(out, in)), null);
        LoraAdapter.Start start = new LoraAdapter.Start(EngineBridge.toDjl(a, manager), EngineBridge.toDjl(b, manager), null,
                1.0, new LoraAdapter.Projection(EngineBridge.toDjl(uk.basis(), manager), EngineBridge.toDjl(vk.basis(), manager)));
        adapter = LoraAdapter.attach(layer, start, new AdapterInit.OpLora(), 0f);
        rows = Projector.right(vk, rank);
        columns = Projector.left(uk, rank);
        long side = Math.round(Math.cbrt(2.0 * rank * k * (in + out)));
        left = manager.randomNormal(new Shape(side, side));
        right = manager.randomNormal(new Shape(side, side));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        manager.close();
    }

    /** What the ProjectionHook calls after every optimizer step (idempotent, so each call does the same work). */
    @Benchmark
    public void djlAsTraining() {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            adapter.projectParameters();
        }
    }

    /** The same two projections in ND4J, in place on ND4J copies of A and B. */
    @Benchmark
    public INDArray nd4jProjector() {
        rows.apply(a);
        return columns.apply(b);
    }

    /** ND4J's projector as training would have to use it: copy A and B out of PyTorch, project, copy back. */
    @Benchmark
    public void nd4jWithCopies() {
        INDArray hostA = EngineBridge.toNd4j(adapter.a());
        INDArray hostB = EngineBridge.toNd4j(adapter.b());
        rows.apply(hostA);
        columns.apply(hostB);
        adapter.a().set(FloatBuffer.wrap(hostA.data().asFloat()));
        adapter.b().set(FloatBuffer.wrap(hostB.data().asFloat()));
    }

    /** One square DJL matmul with the projections' FLOP count: the engine's ceiling at this size. */
    @Benchmark
    public void djlMatmulSameFlops() {
        try (NDArray product = left.matMul(right)) {
            product.getFloat(0, 0);
        }
    }
}
