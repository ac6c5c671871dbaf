package dev.oplora.adapters;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import dev.oplora.runtime.NativeThreads;

/**
 * Access to the DJL PyTorch engine that applies the thread policy first: DJL reads its thread
 * settings once, when the engine starts, so every DJL entry point in oplora goes through here.
 */
public final class Engines {

    private Engines() {
    }

    /** The PyTorch engine, started offline with the oplora thread policy. */
    public static Engine pytorch() {
        NativeThreads.configure();
        return Engine.getEngine("PyTorch");
    }

    /**
     * A new base manager on the CPU of the PyTorch engine; close it when done. Also turns
     * gradient recording off on the calling thread (see {@link #noGradientsOnThisThread()}).
     */
    public static NDManager newManager() {
        return newManager(ComputeDevice.CPU);
    }

    /** A new base manager on {@code device}; everything made from it (model, adapters, steps) lives there. */
    public static NDManager newManager(ComputeDevice device) {
        Engine engine = pytorch();
        NDManager manager = engine.newBaseManager(device.on(engine));
        noGradientsOnThisThread();
        return manager;
    }

    /**
     * PyTorch's grad mode is per thread and starts enabled on threads DJL did not set up; outside
     * a GradientCollector oplora updates parameters in place, which PyTorch forbids on leaves
     * that require gradients while recording. Every thread that runs models calls this first.
     */
    public static void noGradientsOnThisThread() {
        pytorch();
        ai.djl.pytorch.jni.JniUtils.setGradMode(false);
    }
}
