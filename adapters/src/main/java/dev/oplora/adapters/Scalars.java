package dev.oplora.adapters;

import ai.djl.ndarray.NDArray;

/**
 * Arithmetic with a constant inside an autograd graph. DJL's {@code x.mul(Number)} (and add, div,
 * pow, clip with numbers) wraps the constant around a direct buffer, applies the op and closes
 * the constant at once; autograd keeps the constant for the backward pass, by which time the
 * buffer may have been freed, and the gradient reads garbage (seen as rare, run-dependent NaN).
 * These functions make the constant a tensor that PyTorch owns, so it lives as long as the graph
 * needs it. Outside gradient recording the plain DJL calls are safe.
 */
public final class Scalars {

    private Scalars() {
    }

    /** A 0-d tensor of {@code like}'s type owned by PyTorch, on its manager (rounded once, from the double). */
    public static NDArray of(NDArray like, double value) {
        return EngineBridge.owned(like.getManager().create(value)).toType(like.getDataType(), false);
    }

    public static NDArray mul(NDArray x, double value) {
        return x.mul(of(x, value));
    }

    public static NDArray div(NDArray x, double value) {
        return x.div(of(x, value));
    }

    public static NDArray add(NDArray x, double value) {
        return x.add(of(x, value));
    }

    /** min(max(x, low), high), differentiable like clamp. */
    public static NDArray clip(NDArray x, double low, double high) {
        return x.maximum(of(x, low)).minimum(of(x, high));
    }
}
