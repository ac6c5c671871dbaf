package dev.oplora.diagnose;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.oplora.geometry.GeometryKeys;
import java.util.List;
import java.util.Map;

/** The JSON written by {@code oplora diagnose} (schema in README). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Diagnosis(@JsonProperty("k") int k, @JsonProperty("alpha") double alpha,
                        @JsonProperty("base") String base, @JsonProperty("runs") List<Run> runs,
                        @JsonProperty("cross_run") CrossRunSummary crossRun) {

    /** One tuned checkpoint against the base. */
    /**
     * @param summary parameter-weighted means over every compared matrix
     * @param summaryTrained the same over the linear projections ({@code *_proj.weight}), the
     *     weights PEFT methods can change; embeddings, the output head and norms left out
     */
    public record Run(@JsonProperty("tuned") String tuned, @JsonProperty("matrices") List<Matrix> matrices,
                      @JsonProperty("summary") Map<String, Double> summary,
                      @JsonProperty("summary_trained") Map<String, Double> summaryTrained,
                      @JsonProperty("errors") List<Problem> errors) {
    }

    /** A tensor that could not be compared, with the reason. */
    public record Problem(@JsonProperty("name") String name, @JsonProperty("error") String error) {
    }

    /** The metrics of one 2-D weight. */
    public record Matrix(@JsonProperty("name") String name, @JsonProperty("shape") long[] shape,
                         @JsonProperty("k") int k,
                         @JsonProperty(GeometryKeys.BF16_SPARSITY) double bf16Sparsity,
                         @JsonProperty(GeometryKeys.ATOL_SPARSITY) double atolSparsity,
                         @JsonProperty(GeometryKeys.NSS) double nss,
                         @JsonProperty(GeometryKeys.ANGLES_U_DEG) double[] anglesUDeg,
                         @JsonProperty(GeometryKeys.ANGLES_V_DEG) double[] anglesVDeg,
                         @JsonProperty(GeometryKeys.MAX_ANGLE_U_DEG) double maxAngleUDeg,
                         @JsonProperty(GeometryKeys.MAX_ANGLE_V_DEG) double maxAngleVDeg,
                         @JsonProperty(GeometryKeys.OVERLAP_PRINCIPAL) Double overlapPrincipal,
                         @JsonProperty(GeometryKeys.OVERLAP_LOW_MAGNITUDE) Double overlapLowMagnitude,
                         @JsonProperty(GeometryKeys.UPDATE_DENSITY) double updateDensity,
                         @JsonProperty(GeometryKeys.SIGMA_GAP_K) double sigmaGapK,
                         @JsonProperty(GeometryKeys.WEDIN_BOUND_DEG) double wedinBoundDeg) {
    }

    /** Consistency of update masks across the tuned runs (present with two or more). */
    public record CrossRunSummary(@JsonProperty("jaccard") Double[][] jaccard,
                                  @JsonProperty("jaccard_random_baseline") Double[][] jaccardRandomBaseline,
                                  @JsonProperty("per_matrix") List<PerMatrix> perMatrix) {
    }

    public record PerMatrix(@JsonProperty("name") String name, @JsonProperty("jaccard") Double[][] jaccard,
                            @JsonProperty("jaccard_random_baseline") Double[][] jaccardRandomBaseline,
                            @JsonProperty("consensus_ratio") Double consensusRatio,
                            @JsonProperty("mean_jaccard") Double meanJaccard,
                            @JsonProperty("mean_random_baseline") Double meanRandomBaseline) {
    }
}
