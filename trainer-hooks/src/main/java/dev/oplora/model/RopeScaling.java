package dev.oplora.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.oplora.config.FieldException;
import java.util.List;

/**
 * Config field {@code rope_scaling}: how the rotary inverse frequencies are rescaled, exactly as
 * transformers computes them ({@code ROPE_INIT_FUNCTIONS}). Implemented: {@code default},
 * {@code linear} (every frequency / factor) and {@code llama3} (Llama 3.1+: low frequencies /
 * factor, high ones kept, a smooth blend between). {@code dynamic}, {@code yarn},
 * {@code longrope} and anything else are rejected by name: they change the logits, and a model
 * that silently ran without them would be wrong.
 *
 * @param ropeType the scaling type ({@code rope_type}; older configs write {@code type})
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RopeScaling(@JsonProperty("rope_type") String ropeType, @JsonProperty("type") String type,
                          @JsonProperty("factor") Double factor, @JsonProperty("low_freq_factor") Double lowFreqFactor,
                          @JsonProperty("high_freq_factor") Double highFreqFactor,
                          @JsonProperty("original_max_position_embeddings") Integer originalMaxPositionEmbeddings) {

    static final List<String> IMPLEMENTED = List.of("default", "linear", "llama3");

    public RopeScaling {
        String kind = ropeType != null ? ropeType : type;
        FieldException.require(kind != null, "rope_type", "is missing");
        FieldException.require(IMPLEMENTED.contains(kind), "rope_type",
                "\"" + kind + "\" is not implemented (oplora implements " + IMPLEMENTED + ")");
        if (!kind.equals("default")) {
            FieldException.require(factor != null && factor > 0, "factor", "must be positive, got " + factor);
        }
        if (kind.equals("llama3")) {
            FieldException.require(lowFreqFactor != null && highFreqFactor != null && highFreqFactor > lowFreqFactor,
                    "low_freq_factor", "and high_freq_factor are required, high > low");
            FieldException.require(originalMaxPositionEmbeddings != null && originalMaxPositionEmbeddings > 0,
                    "original_max_position_embeddings", "is required for llama3 scaling");
        }
    }

    /** The scaling type, from {@code rope_type} or the older {@code type}. */
    public String kind() {
        return ropeType != null ? ropeType : type;
    }

    /**
     * The inverse frequencies theta^(-2i/d) for i < d/2, rescaled by {@code scaling} (null: none),
     * in double precision (the model rounds them to its float type once).
     */
    public static double[] inverseFrequencies(double theta, int headDim, RopeScaling scaling) {
        double[] inv = new double[headDim / 2];
        for (int i = 0; i < inv.length; i++) {
            inv[i] = 1.0 / Math.pow(theta, 2.0 * i / headDim);
        }
        if (scaling == null) {
            return inv;
        }
        switch (scaling.kind()) {
            case "linear" -> {
                for (int i = 0; i < inv.length; i++) {
                    inv[i] /= scaling.factor();
                }
            }
            case "llama3" -> scaling.llama3(inv);
            default -> { }
        }
        return inv;
    }

    /** transformers' _compute_llama3_parameters, in place. */
    private void llama3(double[] inv) {
        double oldContext = originalMaxPositionEmbeddings;
        double lowWavelength = oldContext / lowFreqFactor;
        double highWavelength = oldContext / highFreqFactor;
        for (int i = 0; i < inv.length; i++) {
            double wavelength = 2 * Math.PI / inv[i];
            if (wavelength > lowWavelength) {
                inv[i] = inv[i] / factor;
            } else if (wavelength >= highWavelength) {
                double smooth = (oldContext / wavelength - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
                inv[i] = (1 - smooth) * inv[i] / factor + smooth * inv[i];
            }
        }
    }
}
