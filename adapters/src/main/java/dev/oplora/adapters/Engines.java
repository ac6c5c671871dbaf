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

    /** A new base manager on the CPU of the PyTorch engine; close it when done. */
    public static NDManager newManager() {
        return pytorch().newBaseManager();
    }
}
