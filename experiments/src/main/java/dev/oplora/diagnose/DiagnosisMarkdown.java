package dev.oplora.diagnose;

import dev.oplora.geometry.GeometryKeys;
import java.util.Locale;

/** A Markdown rendering of a {@link Diagnosis}: a summary line and a table per tuned run. */
public final class DiagnosisMarkdown {

    private DiagnosisMarkdown() {
    }

    public static String render(Diagnosis d) {
        StringBuilder out = new StringBuilder("# oplora diagnose\n\n");
        out.append(String.format(Locale.ROOT, "Base `%s`, principal rank k = %d, mask density alpha = %.2f.%n%n", d.base(), d.k(), d.alpha()));
        for (Diagnosis.Run run : d.runs()) {
            out.append("## ").append(run.tuned()).append("\n\n");
            out.append(String.format(Locale.ROOT, "Parameter-weighted: bf16 sparsity %.4f, atol sparsity %.4f, NSS %.3g, max angle U %.3g deg, "
                            + "overlap principal %s, overlap low-magnitude %s (random baseline %.2f).%n%n",
                    run.summary().getOrDefault(GeometryKeys.BF16_SPARSITY, Double.NaN), run.summary().getOrDefault(GeometryKeys.ATOL_SPARSITY, Double.NaN),
                    run.summary().getOrDefault(GeometryKeys.NSS, Double.NaN), run.summary().getOrDefault(GeometryKeys.MAX_ANGLE_U_DEG, Double.NaN),
                    fmt(run.summary().get(GeometryKeys.OVERLAP_PRINCIPAL)), fmt(run.summary().get(GeometryKeys.OVERLAP_LOW_MAGNITUDE)), d.alpha()));
            out.append("| tensor | shape | bf16 sparsity | atol sparsity | NSS | max angle U | max angle V | Wedin bound | overlap principal | overlap low |\n");
            out.append("|---|---|---|---|---|---|---|---|---|---|\n");
            for (Diagnosis.Matrix m : run.matrices()) {
                out.append(String.format(Locale.ROOT, "| %s | %dx%d | %.4f | %.4f | %.3g | %.3g | %.3g | %.3g | %s | %s |%n", m.name(),
                        m.shape()[0], m.shape()[1], m.bf16Sparsity(), m.atolSparsity(), m.nss(), m.maxAngleUDeg(), m.maxAngleVDeg(),
                        m.wedinBoundDeg(), fmt(m.overlapPrincipal()), fmt(m.overlapLowMagnitude())));
            }
            for (Diagnosis.Problem p : run.errors()) {
                out.append("\nNot compared: `").append(p.name()).append("`: ").append(p.error()).append('\n');
            }
            out.append('\n');
        }
        if (d.crossRun() != null) {
            out.append("## Cross-run consistency\n\n| tensor | mean Jaccard | random baseline | consensus ratio |\n|---|---|---|---|\n");
            for (Diagnosis.PerMatrix p : d.crossRun().perMatrix()) {
                out.append(String.format(Locale.ROOT, "| %s | %s | %s | %s |%n", p.name(), fmt(p.meanJaccard()),
                        fmt(p.meanRandomBaseline()), fmt(p.consensusRatio())));
            }
        }
        return out.toString();
    }

    static String fmt(Double v) {
        return v == null || !Double.isFinite(v) ? "n/a" : String.format(Locale.ROOT, "%.4f", v);
    }
}
