package dev.oplora.geometry;

import java.util.List;

/**
 * The names of the per-matrix geometry metrics, as they appear in diagnose JSON, run summaries,
 * the geometry tracker's metrics, results.csv and the report. One list, so the files agree.
 */
public final class GeometryKeys {

    public static final String BF16_SPARSITY = "bf16_sparsity";
    public static final String ATOL_SPARSITY = "atol_sparsity";
    public static final String NSS = "nss";
    public static final String MAX_ANGLE_U_DEG = "max_angle_u_deg";
    public static final String MAX_ANGLE_V_DEG = "max_angle_v_deg";
    public static final String OVERLAP_PRINCIPAL = "overlap_principal";
    public static final String OVERLAP_LOW_MAGNITUDE = "overlap_low_magnitude";
    public static final String UPDATE_DENSITY = "update_density";
    public static final String WEDIN_BOUND_DEG = "wedin_bound_deg";
    public static final String SIGMA_GAP_K = "sigma_gap_k";
    public static final String ANGLES_U_DEG = "angles_u_deg";
    public static final String ANGLES_V_DEG = "angles_v_deg";
    /** Summary entries that count rather than measure. */
    public static final String PARAMETERS = "parameters";
    public static final String MATRICES = "matrices";

    /** The scalar metrics a run summary averages (parameter-weighted), in results.csv column order. */
    public static final List<String> SUMMARY = List.of(BF16_SPARSITY, ATOL_SPARSITY, NSS, MAX_ANGLE_U_DEG,
            MAX_ANGLE_V_DEG, OVERLAP_PRINCIPAL, OVERLAP_LOW_MAGNITUDE, UPDATE_DENSITY, WEDIN_BOUND_DEG);

    /** What the geometry tracker logs every geometry_steps, per module. */
    public static final List<String> TRACKED = List.of(NSS, MAX_ANGLE_U_DEG, BF16_SPARSITY);

    private GeometryKeys() {
    }
}
