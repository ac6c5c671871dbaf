package dev.oplora.diagnose;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/** The JSON written by {@code oplora diagnose} (schema in README). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Diagnosis(@JsonProperty("k") int k, @JsonProperty("alpha") double alpha,
                        @JsonProperty("base") String base, @JsonProperty("runs") List<Run> runs,
                        @JsonProperty("cross_run") CrossRunSummary crossRun) {

    /** One tuned checkpoint against the base. */
    public record Run(@JsonProperty("tuned") String tuned, @JsonProperty("matrices") List<Matrix> matrices,
                      @JsonProperty("summary") Map<String, Double> summary,
                      @JsonProperty("errors") List<Problem> errors) {
    }

    /** A tensor that could not be compared, with the reason. */
    public record Problem(@JsonProperty("name") String name, @JsonProperty("error") String error) {
    }

    /** The metrics of one 2-D weight. */
    public record Matrix(@JsonProperty("name") String name, @JsonProperty("shape") long[] shape,
                         @JsonProperty("k") int k,
                         @JsonProperty("bf16_sparsity") double bf16Sparsity,
                         @JsonProperty("atol_sparsity") double atolSparsity,
                         @JsonProperty("nss") double nss,
                         @JsonProperty("angles_u_deg") double[] anglesUDeg,
                         @JsonProperty("angles_v_deg") double[] anglesVDeg,
                         @JsonProperty("max_angle_u_deg") double maxAngleUDeg,
                         @JsonProperty("max_angle_v_deg") double maxAngleVDeg,
                         @JsonProperty("overlap_principal") Double overlapPrincipal,
                         @JsonProperty("overlap_low_magnitude") Double overlapLowMagnitude,
                         @JsonProperty("update_density") double updateDensity,
                         @JsonProperty("sigma_gap_k") double sigmaGapK,
                         @JsonProperty("wedin_bound_deg") double wedinBoundDeg) {
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
