package dev.oplora.bench;

import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * The parameters every projection benchmark runs over: a weight shape out x in of real models
 * (Llama-7B attention and MLP, Qwen2.5-0.5B MLP and attention) and the protected rank k.
 */
@State(Scope.Benchmark)
public abstract class ProjectionShapes {

    @Param({"4096x4096", "896x4864", "896x896", "4096x14336"})
    public String shape;

    @Param({"64", "16", "256"})
    public int k;

    /** Rows of the shape (out, or m). */
    int rows() {
        return Integer.parseInt(shape.split("x")[0]);
    }

    /** Columns of the shape (in, or n). */
    int cols() {
        return Integer.parseInt(shape.split("x")[1]);
    }
}
