package dev.oplora.runtime;

import org.bytedeco.openblas.global.openblas;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The one place that decides how many threads the native engines use.
 *
 * <p>Two OpenMP runtimes share the JVM: PyTorch's (inside DJL) and the one ND4J and OpenBLAS use.
 * Left alone, each sizes its pool to every core and they oversubscribe the machine, which on two
 * cores makes GEMM several times slower and has deadlocked OpenMP in the past. The policy is:
 * {@code oplora.threads} (system property) or {@code OPLORA_THREADS} (environment) threads for
 * intra-op work in each engine, one inter-op thread for PyTorch, and the caller's thread as the
 * only ND4J "master" thread. The launcher and the test runner also export {@code OMP_NUM_THREADS}
 * with the same value, because OpenMP reads it only at library load.
 *
 * <p>DJL reads its settings from system properties when the engine starts, so {@link #configure()}
 * must run before the first DJL call; it is idempotent and cheap, and every entry point calls it.
 */
public final class NativeThreads {

    /** System property naming the thread count. */
    public static final String PROPERTY = "oplora.threads";
    /** Environment variable naming the thread count when the property is absent. */
    public static final String ENVIRONMENT = "OPLORA_THREADS";

    private static volatile int configured = -1;

    private NativeThreads() {
    }

    /** Applies the policy with the thread count from the property, the environment, or all cores. */
    public static synchronized int configure() {
        if (configured > 0) {
            return configured;
        }
        int threads = requestedThreads();
        // DJL: offline (nothing is downloaded at run time) and a fixed pool.
        System.setProperty("ai.djl.offline", "true");
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        // ND4J and the OpenBLAS it carries.
        Nd4j.getEnvironment().setMaxThreads(threads);
        Nd4j.getEnvironment().setMaxMasterThreads(1);
        openblas.blas_set_num_threads(threads);
        configured = threads;
        return threads;
    }

    /** The thread count in force, configuring first if needed. */
    public static int threads() {
        return configure();
    }

    static int requestedThreads() {
        String value = System.getProperty(PROPERTY);
        String source = "system property " + PROPERTY;
        if (value == null || value.isBlank()) {
            value = System.getenv(ENVIRONMENT);
            source = "environment variable " + ENVIRONMENT;
        }
        if (value == null || value.isBlank()) {
            return Runtime.getRuntime().availableProcessors();
        }
        try {
            int threads = Integer.parseInt(value.trim());
            if (threads < 1) {
                throw new IllegalArgumentException(source + " must be a positive integer, got '" + value + "'");
            }
            return threads;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(source + " must be a positive integer, got '" + value + "'", e);
        }
    }
}
