package dev.oplora.report;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.oplora.geometry.GeometryKeys;
import dev.oplora.grid.CellResult;
import dev.oplora.train.Algo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * The paper's claims, tested on a grid's cells: for each, the statistic under RL (GRPO) and SFT,
 * the paired difference over matched cells (same method, task and seed) with a 95% bootstrap
 * interval, and a verdict: reproduced when the interval lies on the claimed side of zero, not
 * reproduced when it lies on the other side, inconclusive when it contains zero or there are
 * fewer than three pairs. The paper's own figures are printed beside ours.
 */
public final class Claims {

    static final int RESAMPLES = 4000;
    static final int MINIMUM_PAIRS = 3;

    private Claims() {
    }

    /** One claim's row. Means and intervals are NaN where a side has no cells. */
    public record Claim(@JsonProperty("id") String id, @JsonProperty("claim") String claim,
                        @JsonProperty("statistic") String statistic,
                        @JsonProperty("rl") Estimate rl, @JsonProperty("sft") Estimate sft,
                        @JsonProperty("difference") Estimate difference, @JsonProperty("verdict") String verdict,
                        @JsonProperty("paper") String paper, @JsonProperty("note") String note) {
    }

    /** A mean over n values with its 95% bootstrap interval. */
    public record Estimate(@JsonProperty("mean") double mean, @JsonProperty("low") double low,
                           @JsonProperty("high") double high, @JsonProperty("n") int n) {
        static final Estimate NONE = new Estimate(Double.NaN, Double.NaN, Double.NaN, 0);

        String format(String pattern) {
            if (n == 0) {
                return "n/a";
            }
            return String.format(Locale.ROOT, pattern + " [" + pattern + ", " + pattern + "]", mean, low, high);
        }
    }

    /** The mean of {@code values} with a percentile bootstrap interval (seeded, so reports are reproducible). */
    static Estimate estimate(double[] values) {
        if (values.length == 0) {
            return Estimate.NONE;
        }
        double mean = Arrays.stream(values).average().orElse(Double.NaN);
        if (values.length == 1) {
            return new Estimate(mean, Double.NaN, Double.NaN, 1);
        }
        SplittableRandom random = new SplittableRandom(20261202);
        double[] means = new double[RESAMPLES];
        for (int b = 0; b < RESAMPLES; b++) {
            double sum = 0;
            for (int i = 0; i < values.length; i++) {
                sum += values[random.nextInt(values.length)];
            }
            means[b] = sum / values.length;
        }
        Arrays.sort(means);
        return new Estimate(mean, means[(int) (0.025 * RESAMPLES)], means[(int) (0.975 * RESAMPLES) - 1], values.length);
    }

    /**
     * The verdict for a claimed positive difference: reproduced when the whole interval is above
     * zero, not reproduced when it is below, inconclusive when it contains zero or rests on fewer
     * than three pairs.
     */
    static String verdict(Estimate difference) {
        if (difference.n() < MINIMUM_PAIRS || Double.isNaN(difference.low())) {
            return "inconclusive";
        }
        if (difference.low() > 0) {
            return "reproduced";
        }
        if (difference.high() < 0) {
            return "not reproduced";
        }
        return "inconclusive";
    }

    /** Every claim that the grid's cells can speak to (others say why they cannot). */
    public static List<Claim> of(List<CellResult> results, Path grid, double alpha) throws IOException {
        List<CellResult> ok = results.stream().filter(CellResult::ok).toList();
        List<Claim> claims = new ArrayList<>();
        claims.add(paired("C1", "RL updates are sparser than SFT's in bf16",
                "bf16 sparsity over the trained weights (RL - SFT)", ok, trained(GeometryKeys.BF16_SPARSITY), 1,
                "GRPO 38.4-91.7% unchanged vs SFT 0.6-18.8% (Table 1)"));
        if (ok.stream().anyMatch(r -> r.method().endsWith(dev.oplora.grid.GridConfig.MATCHED_LR))) {
            claims.add(matched(ok));
        }
        claims.add(paired("C2", "RL drifts the spectrum less than SFT", "NSS over the trained weights (SFT - RL)", ok,
                trained(GeometryKeys.NSS), -1, "RL spectra barely drift (section 4)"));
        Claim rotation = paired("C3", "RL rotates the principal subspaces less than SFT",
                "max angle of the top-k left subspace, degrees (SFT - RL); Wedin bound in the note", ok,
                trained(GeometryKeys.MAX_ANGLE_U_DEG), -1, "RL top-k subspaces barely rotate (section 4)");
        Estimate rlBound = estimate(unbox(new ArrayList<>(values(ok, Algo.GRPO, trained(GeometryKeys.WEDIN_BOUND_DEG)).values())));
        Estimate sftBound = estimate(unbox(new ArrayList<>(values(ok, Algo.SFT, trained(GeometryKeys.WEDIN_BOUND_DEG)).values())));
        claims.add(new Claim(rotation.id(), rotation.claim(), rotation.statistic(), rotation.rl(), rotation.sft(),
                rotation.difference(), rotation.verdict(), rotation.paper(), rotation.note() + String.format(Locale.ROOT,
                "; Wedin bound (largest rotation an update of that size allows): RL %.1f, SFT %.1f degrees",
                rlBound.mean(), sftBound.mean())));
        claims.add(overlap(ok, alpha));
        claims.add(crossRun(grid));
        claims.add(between("C6", "In sparse RL, principal-complement masks do at least as well as principal masks",
                "held-out accuracy under GRPO (principal-complement - principal)", ok, "sparse-principal-complement",
                "sparse-principal", "55.40 vs 53.82 avg@320, 56.90 vs 55.44 avg@500 (Table 4)"));
        claims.add(between("C7", "OP-LoRA does at least as well as LoRA under GRPO",
                "held-out accuracy under GRPO (op-lora - lora)", ok, "op-lora", "lora",
                "the paper asks for off-principal adapters; no number"));
        claims.add(between("C7b", "PiSSA does worse than LoRA under GRPO (collapse)",
                "held-out accuracy under GRPO (lora - pissa)", ok, "lora", "pissa",
                "PiSSA no clear gain, often collapses early (figures only)"));
        return claims;
    }

    private static Function<CellResult, Double> trained(String key) {
        return r -> {
            Map<String, Double> m = r.geometryTrained() != null ? r.geometryTrained() : r.geometry();
            return m == null ? null : m.get(key);
        };
    }

    /** RL vs SFT, paired by method, task and seed; {@code sign} +1 claims RL higher, -1 lower. */
    private static Claim paired(String id, String claim, String statistic, List<CellResult> ok,
                                Function<CellResult, Double> metric, int sign, String paper) {
        Map<String, Double> rl = values(ok, Algo.GRPO, metric);
        Map<String, Double> sft = values(ok, Algo.SFT, metric);
        List<Double> diffs = differences(rl, sft, sign);
        Estimate difference = estimate(unbox(diffs));
        return new Claim(id, claim, statistic, estimate(unbox(new ArrayList<>(rl.values()))),
                estimate(unbox(new ArrayList<>(sft.values()))), difference, verdict(difference), paper,
                diffs.size() + " matched RL/SFT cells");
    }

    /** C1m: the C1 contrast with GRPO trained at SFT's learning rate (the matched-rate control cells). */
    private static Claim matched(List<CellResult> ok) {
        Function<CellResult, Double> metric = trained(GeometryKeys.BF16_SPARSITY);
        Map<String, Double> rl = new LinkedHashMap<>();
        for (CellResult r : ok) {
            Double v = metric.apply(r);
            if (r.algo() == Algo.GRPO && r.method().endsWith(dev.oplora.grid.GridConfig.MATCHED_LR) && v != null) {
                String method = r.method().substring(0, r.method().length() - dev.oplora.grid.GridConfig.MATCHED_LR.length());
                rl.put(method + "/" + r.task() + "/" + r.seed(), v);
            }
        }
        Map<String, Double> sft = values(ok, Algo.SFT, metric);
        List<Double> diffs = differences(rl, sft, 1);
        Estimate difference = estimate(unbox(diffs));
        return new Claim("C1m", "RL updates are sparser than SFT's even at SFT's learning rate (control)",
                "bf16 sparsity over the trained weights (RL at SFT's rate - SFT)",
                estimate(unbox(new ArrayList<>(rl.values()))), estimate(unbox(new ArrayList<>(sft.values()))), difference,
                verdict(difference), "the paper attributes RL's sparsity to its small updates and the bf16 gate",
                diffs.size() + " matched cells; GRPO in the RL column at SFT's learning rate");
    }

    /** C4: GRPO's update mask overlaps the principal mask less, and the low-magnitude mask more, than alpha. */
    private static Claim overlap(List<CellResult> ok, double alpha) {
        Map<String, Double> principal = values(ok, Algo.GRPO, trained(GeometryKeys.OVERLAP_PRINCIPAL));
        Map<String, Double> low = values(ok, Algo.GRPO, trained(GeometryKeys.OVERLAP_LOW_MAGNITUDE));
        List<Double> margins = new ArrayList<>();
        principal.forEach((key, p) -> {
            if (low.containsKey(key)) {
                margins.add(Math.min(alpha - p, low.get(key) - alpha));
            }
        });
        Estimate difference = estimate(unbox(margins));
        return new Claim("C4", "RL updates avoid principal weights and favour low-magnitude ones",
                "min(alpha - overlap principal, overlap low-magnitude - alpha) under GRPO; RL column: overlap principal,"
                        + " SFT column: overlap low-magnitude", estimate(unbox(new ArrayList<>(principal.values()))),
                estimate(unbox(new ArrayList<>(low.values()))), difference, verdict(difference),
                "overlap with principal below alpha, with low-magnitude above (section 4)",
                "alpha = " + alpha + "; both sides must hold in each cell");
    }

    /** C5: cross-run Jaccard of GRPO update masks above the random baseline, over groups of seeds. */
    private static Claim crossRun(Path grid) throws IOException {
        List<Double> margins = new ArrayList<>();
        List<Double> jaccard = new ArrayList<>();
        List<Double> baseline = new ArrayList<>();
        Path groups = grid.resolve("groups");
        if (Files.isDirectory(groups)) {
            try (var dirs = Files.list(groups)) {
                for (Path dir : dirs.sorted().toList()) {
                    String group = dir.getFileName().toString();
                    if (!group.contains("__grpo__") || group.contains(dev.oplora.grid.GridConfig.MATCHED_LR)) {
                        continue;
                    }
                    JsonNode d = new ObjectMapper().readTree(dir.resolve("diagnosis.json").toFile());
                    for (JsonNode m : d.path("cross_run").path("per_matrix")) {
                        if (m.path("name").asText().endsWith("_proj.weight") && m.path("mean_jaccard").isNumber()) {
                            jaccard.add(m.path("mean_jaccard").asDouble());
                            baseline.add(m.path("mean_random_baseline").asDouble());
                            margins.add(m.path("mean_jaccard").asDouble() - m.path("mean_random_baseline").asDouble());
                        }
                    }
                }
            }
        }
        Estimate difference = estimate(unbox(margins));
        return new Claim("C5", "RL update masks agree across runs more than chance",
                "mean pairwise Jaccard - random baseline per trained matrix, GRPO groups (RL column: Jaccard, SFT column:"
                        + " baseline)", estimate(unbox(jaccard)), estimate(unbox(baseline)), difference, verdict(difference),
                "layer 13 of DS-Qwen-1.5B: Jaccard 0.55-0.60 vs baseline 0.37-0.47 (Table 2)",
                margins.size() + " matrices of GRPO groups with two or more seeds");
    }

    /** Method a vs method b under GRPO, paired by task and seed; claimed a >= b. */
    private static Claim between(String id, String claim, String statistic, List<CellResult> ok, String a, String b,
                                 String paper) {
        Map<String, Double> left = byMethod(ok, a);
        Map<String, Double> right = byMethod(ok, b);
        List<Double> diffs = differences(left, right, 1);
        Estimate difference = estimate(unbox(diffs));
        String note = left.isEmpty() || right.isEmpty() ? "the grid has no GRPO cells of " + (left.isEmpty() ? a : b)
                : diffs.size() + " seeds; " + a + " in the RL column, " + b + " in the SFT column";
        return new Claim(id, claim, statistic, estimate(unbox(new ArrayList<>(left.values()))),
                estimate(unbox(new ArrayList<>(right.values()))), difference, verdict(difference), paper, note);
    }

    private static Map<String, Double> byMethod(List<CellResult> ok, String method) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (CellResult r : ok) {
            if (r.algo() == Algo.GRPO && r.method().equals(method) && r.evaluation() != null
                    && r.evaluation().get("eval/accuracy") != null) {
                out.put(r.task() + "/" + r.seed(), r.evaluation().get("eval/accuracy"));
            }
        }
        return out;
    }

    private static Map<String, Double> values(List<CellResult> ok, Algo algo, Function<CellResult, Double> metric) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (CellResult r : ok) {
            // The matched-rate control cells speak only to C1m.
            Double v = r.algo() == algo && !r.method().endsWith(dev.oplora.grid.GridConfig.MATCHED_LR) ? metric.apply(r) : null;
            if (v != null && Double.isFinite(v)) {
                out.put(r.method() + "/" + r.task() + "/" + r.seed(), v);
            }
        }
        return out;
    }

    /** sign * (a - b) for every key both maps hold: the paired differences. */
    private static List<Double> differences(Map<String, Double> a, Map<String, Double> b, int sign) {
        List<Double> out = new ArrayList<>();
        a.forEach((key, v) -> {
            if (b.containsKey(key)) {
                out.add(sign * (v - b.get(key)));
            }
        });
        return out;
    }

    private static double[] unbox(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** The claims as a report table. */
    static ReportWriter.Table table(List<Claim> claims) {
        List<List<String>> rows = new ArrayList<>();
        for (Claim c : claims) {
            String pattern = c.statistic().contains("accuracy") ? "%.3f" : c.statistic().startsWith("NSS") ? "%.2e" : "%.3f";
            rows.add(List.of(c.id(), c.claim(), c.statistic(), c.rl().format(pattern), c.sft().format(pattern),
                    c.difference().format(pattern), c.verdict(), c.paper(), c.note()));
        }
        return new ReportWriter.Table("Claims", "mean [95% bootstrap interval] over cells; difference paired by method, task and "
                + "seed; verdict: reproduced / not reproduced when the interval excludes zero on the claimed / other side, "
                + "inconclusive otherwise (or with fewer than " + MINIMUM_PAIRS + " pairs). Paper: numbers reported by Zhu et al."
                + " (arXiv 2511.08567) on 1.5B-30B models, not targets for this model",
                List.of("claim", "statement", "statistic", "RL", "SFT", "difference", "verdict", "paper", "note"), rows);
    }
}
