package dev.oplora.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Parameter;
import java.util.Map;

/** Gradient utilities the loops share. */
public final class Gradients {

    private Gradients() {
    }

    /**
     * Scales all gradients together so their global L2 norm is at most {@code maxNorm} (DJL's
     * clip is element-wise). Returns the norm before clipping; a non-finite norm is returned
     * as is and nothing is scaled, so the NaN guard can stop the run.
     */
    public static double clipGlobalNorm(Map<String, Parameter> parameters, double maxNorm) {
        double total = 0;
        for (Parameter p : parameters.values()) {
            NDArray g = p.getArray().getGradient();
            total += g.square().sum().getFloat();
        }
        double norm = Math.sqrt(total);
        if (maxNorm > 0 && Double.isFinite(norm) && norm > maxNorm) {
            float scale = (float) (maxNorm / (norm + 1e-6));
            for (Parameter p : parameters.values()) {
                p.getArray().getGradient().muli(scale);
            }
        }
        return norm;
    }

    /** Sets every gradient to zero (PyTorch accumulates otherwise); NaN and Inf included. */
    public static void zero(Map<String, Parameter> parameters) {
        for (Parameter p : parameters.values()) {
            NDArray g = p.getArray().getGradient();
            g.set(new NDIndex("..."), 0);
        }
    }
}
