package dev.oplora.adapters;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.oplora.runtime.NativeThreads;
import dev.oplora.svd.Svd;
import dev.oplora.svd.Svds;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Both native engines in one JVM, each with its own OpenMP runtime: DJL autograd and an ND4J
 * LAPACK decomposition, interleaved and then concurrent, each checked against a known answer.
 */
class EnginesTest {

    @Test
    void threadPolicyReachesBothEngines() {
        int threads = NativeThreads.configure();
        Engine engine = Engines.pytorch();
        assertEquals("PyTorch", engine.getEngineName());
        assertEquals(Integer.toString(threads), System.getProperty("ai.djl.pytorch.num_threads"));
        assertEquals("true", System.getProperty("ai.djl.offline"));
        assertEquals(threads, Nd4j.getEnvironment().maxThreads());
    }

    @Test
    void djlAutogradAndLapackInterleaved() {
        for (int round = 0; round < 10; round++) {
            djlGradientOfSumOfSquares(round);
            lapackOnKnownSpectrum(round);
        }
    }

    @Test
    void djlAndLapackConcurrently() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<?> djl = pool.submit(() -> {
                for (int i = 0; i < 20; i++) {
                    djlGradientOfSumOfSquares(i);
                }
            });
            Future<?> nd4j = pool.submit(() -> {
                for (int i = 0; i < 20; i++) {
                    lapackOnKnownSpectrum(i);
                }
            });
            djl.get(120, TimeUnit.SECONDS);
            nd4j.get(120, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
    }

    /** d/dx sum((W x)^2) = 2 W^T W x, checked against the closed form. */
    private static void djlGradientOfSumOfSquares(int round) {
        try (NDManager manager = Engines.newManager()) {
            NDArray w = manager.randomNormal(new ai.djl.ndarray.types.Shape(64, 32));
            NDArray x = manager.randomNormal(new ai.djl.ndarray.types.Shape(32, 1));
            x.setRequiresGradient(true);
            try (GradientCollector collector = Engines.pytorch().newGradientCollector()) {
                NDArray y = w.matMul(x);
                collector.backward(y.mul(y).sum());
            }
            NDArray expected = w.transpose().matMul(w).matMul(x).mul(2);
            double error = x.getGradient().sub(expected).abs().max().getFloat();
            assertTrue(error < 1e-3 * expected.abs().max().getFloat(), "round " + round + ": gradient error " + error);
        }
    }

    /** W = Q diag(1..n) with Q from a QR: gesdd must return exactly n, n-1, ..., 1. */
    private static void lapackOnKnownSpectrum(int round) {
        int n = 48;
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            values[i] = i + 1;
        }
        INDArray diagonal = Nd4j.diag(Nd4j.createFromArray(values));
        INDArray q = dev.oplora.svd.Subspace.spanOf(Nd4j.rand(DataType.DOUBLE, n, n)).basis();
        Svd svd = Svds.full(q.mmul(diagonal).mmul(q.transpose()));
        for (int i = 0; i < n; i++) {
            assertEquals(n - i, svd.s().getDouble(i), 1e-10, "round " + round + " sigma " + i);
        }
    }
}
