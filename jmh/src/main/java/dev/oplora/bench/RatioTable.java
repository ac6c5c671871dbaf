package dev.oplora.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Turns a JMH JSON result file into the table of ratios the targets are stated in. Each ratio
 * compares two benchmarks of the same run with the same parameters; a row whose benchmarks were
 * not run is left out. Usage: {@code RatioTable results.json}.
 */
public final class RatioTable {

    /**
     * numerator / denominator (times), with the target and whether larger is better. The target
     * is judged only for parameter sets containing every {@code key=value} of {@code judgedAt}
     * (blank: all); other parameter sets are reported.
     */
    record Ratio(String label, String numerator, String denominator, String fixed, double target, boolean atLeast,
                 String judgedAt) {
        Ratio(String label, String numerator, String denominator, String fixed, double target, boolean atLeast) {
            this(label, numerator, denominator, fixed, target, atLeast, "");
        }

        boolean judges(String params) {
            for (String pair : judgedAt.split(" ")) {
                if (!pair.isBlank() && !(" " + params + " ").contains(" " + pair + " ")) {
                    return false;
                }
            }
            return !Double.isNaN(target);
        }
    }

    static final Ratio[] RATIOS = {
        new Ratio("projection left in-place: share of sgemm throughput", "ProjectionBenchmark.sgemmSameFlops",
                "ProjectionBenchmark.leftInPlace", "", 0.75, true, "k=64 shape=4096x4096"),
        new Ratio("projection left allocating: share of sgemm throughput", "ProjectionBenchmark.sgemmSameFlops",
                "ProjectionBenchmark.leftAllocating", "", Double.NaN, true),
        new Ratio("projection two-sided / one-sided time", "ProjectionBenchmark.twoSidedInPlace",
                "ProjectionBenchmark.leftInPlace", "", 2.2, false, "k=64 shape=4096x4096"),
        new Ratio("training projection (DJL, as the hook runs it) / ND4J in-place projector time",
                "TrainingProjectionBenchmark.djlAsTraining", "TrainingProjectionBenchmark.nd4jProjector", "", Double.NaN, false),
        new Ratio("training projection (DJL) / same-FLOP DJL matmul time", "TrainingProjectionBenchmark.djlAsTraining",
                "TrainingProjectionBenchmark.djlMatmulSameFlops", "", Double.NaN, false),
        new Ratio("ND4J projector with copies to and from DJL / training projection (DJL) time",
                "TrainingProjectionBenchmark.nd4jWithCopies", "TrainingProjectionBenchmark.djlAsTraining", "", Double.NaN, false),
        new Ratio("full gesdd / randomized top-k (q=2) time", "RandomizedSvdBenchmark.fullGesdd",
                "RandomizedSvdBenchmark.randomizedQ2", "", 15, true, "k=64 shape=4096x4096 type=FLOAT"),
        new Ratio("LoRA step / frozen dense step", "AdapterBenchmark.trainStep[kind=lora]",
                "AdapterBenchmark.trainStep[kind=dense-frozen]", "kind", 1.15, false),
        new Ratio("merged forward / dense forward", "AdapterBenchmark.forward[kind=merged]",
                "AdapterBenchmark.forward[kind=dense-frozen]", "kind", 1.02, false),
        new Ratio("projected op-LoRA step / LoRA step", "AdapterBenchmark.trainStep[kind=op-lora-projected]",
                "AdapterBenchmark.trainStep[kind=lora]", "kind", 1.25, false),
        new Ratio("DoRA step / LoRA step", "AdapterBenchmark.trainStep[kind=dora]",
                "AdapterBenchmark.trainStep[kind=lora]", "kind", 1.3, false),
        new Ratio("OP-DoRA step / LoRA step", "AdapterBenchmark.trainStep[kind=op-dora]",
                "AdapterBenchmark.trainStep[kind=lora]", "kind", 1.3, false),
        new Ratio("sparse 10% step / trainable dense step", "AdapterBenchmark.trainStep[kind=sparse-10]",
                "AdapterBenchmark.trainStep[kind=dense-trainable]", "kind", 1.1, false),
        new Ratio("recompute / KV-cache generation time", "GenerationBenchmark.recompute",
                "GenerationBenchmark.kvCache", "", 5, true, "model=256x4"),
        new Ratio("bf16 rounding: share of copy bandwidth", "Bf16Benchmark.copy", "Bf16Benchmark.roundToBf16", "", 0.5, true),
        new Ratio("diagnose scan (counts + mask): share of copy bandwidth", "Bf16Benchmark.copy",
                "Bf16Benchmark.diagnoseScan", "", 0.5, true),
        new Ratio("sparsity counts alone: share of copy bandwidth", "Bf16Benchmark.copy",
                "Bf16Benchmark.sparsityScan", "", Double.NaN, true),
        new Ratio("bf16 rounding, scalar kernel: share of copy bandwidth", "Bf16Benchmark.copy",
                "Bf16Benchmark.roundToBf16Scalar", "", Double.NaN, true),
        new Ratio("diagnose scan, scalar kernel: share of copy bandwidth", "Bf16Benchmark.copy",
                "Bf16Benchmark.diagnoseScanScalar", "", Double.NaN, true),
    };

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: RatioTable JMH_RESULT.json");
            System.exit(2);
        }
        System.out.print(render(new ObjectMapper().readTree(Path.of(args[0]).toFile())));
    }

    /** Markdown table: ratio, parameters, measured value, target, verdict. */
    static String render(JsonNode results) {
        Map<String, Double> scores = new LinkedHashMap<>();
        for (JsonNode r : results) {
            String name = r.path("benchmark").asText().replace("dev.oplora.bench.", "");
            StringBuilder params = new StringBuilder();
            r.path("params").fields().forEachRemaining(e -> params.append(e.getKey()).append('=').append(e.getValue().asText()).append(' '));
            scores.put(name + "|" + params.toString().trim(), r.path("primaryMetric").path("score").asDouble());
        }
        StringBuilder out = new StringBuilder("| ratio | parameters | measured | target | |\n|---|---|---|---|---|\n");
        for (Ratio ratio : RATIOS) {
            for (Map.Entry<String, Double> num : scores.entrySet()) {
                String[] key = num.getKey().split("\\|", 2);
                String params = key.length > 1 ? key[1] : "";
                if (!matches(ratio.numerator(), key[0], params)) {
                    continue;
                }
                String denominatorKey = denominatorKey(ratio, key[0], params);
                Double den = scores.get(denominatorKey);
                if (den == null) {
                    continue;
                }
                double value = num.getValue() / den;
                String shown = params.replaceAll("kind=\\S+ ?", "").trim();
                boolean judged = ratio.judges(params);
                String verdict = !judged ? "reported"
                        : (ratio.atLeast() ? value >= ratio.target() : value <= ratio.target()) ? "met" : "MISSED";
                out.append(String.format(Locale.ROOT, "| %s | %s | %.3f | %s | %s |%n", ratio.label(), shown, value,
                        !judged ? "-" : (ratio.atLeast() ? ">= " : "<= ") + ratio.target(), verdict));
            }
        }
        return out.toString();
    }

    private static boolean matches(String spec, String benchmark, String params) {
        int bracket = spec.indexOf('[');
        String name = bracket < 0 ? spec : spec.substring(0, bracket);
        if (!name.equals(benchmark)) {
            return false;
        }
        return bracket < 0 || (" " + params + " ").contains(" " + spec.substring(bracket + 1, spec.length() - 1) + " ");
    }

    private static String denominatorKey(Ratio ratio, String benchmark, String params) {
        String spec = ratio.denominator();
        int bracket = spec.indexOf('[');
        String name = bracket < 0 ? spec : spec.substring(0, bracket);
        String denParams = params;
        if (bracket >= 0) {
            String fixed = spec.substring(bracket + 1, spec.length() - 1);
            denParams = params.replaceAll(ratio.fixed() + "=\\S+", fixed);
        }
        return name + "|" + denParams;
    }
}
