package dev.oplora.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.oplora.files.AtomicFiles;
import dev.oplora.config.ConfigFiles;
import dev.oplora.geometry.GeometryKeys;
import dev.oplora.grid.CellResult;
import dev.oplora.grid.GridConfig;
import dev.oplora.grid.GridRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a grid folder into {@code report.md}, {@code report.html} (self-contained, plots inline),
 * {@code results.csv} and {@code results.json}. Every table gives mean and spread (sd) over
 * seeds and tasks of each method x algorithm.
 */
public final class ReportWriter {

    private static final String ACCURACY = "eval/accuracy";
    static final List<String> MODULE_TYPES = List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern LAYER = Pattern.compile("layers\\.(\\d+)\\.");

    private ReportWriter() {
    }

    /** A table: a title, column names, rows of cells already formatted. */
    record Table(String title, String note, List<String> columns, List<List<String>> rows) {
    }

    /** Writes the four files; returns the path of report.md. */
    public static Path write(Path grid) throws IOException {
        List<CellResult> results = GridRunner.results(grid);
        if (results.isEmpty()) {
            throw new IllegalArgumentException(grid + ": no cell results (expected " + grid.resolve("cells") + "/*/result.json); run oplora grid first");
        }
        double alpha = ConfigFiles.read(grid.resolve("grid_config.json"), GridConfig.class, GridConfig.KIND).diagnoseAlpha();
        List<Claims.Claim> claims = Claims.of(results, grid, alpha);
        List<Table> tables = List.of(Claims.table(claims), accuracy(results), sparsity(results), spectrum(results),
                crossRun(grid), overlap(results, alpha));
        Map<String, String> plots = plots(grid, results);
        AtomicFiles.writeString(grid.resolve("results.csv"), csv(results));
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("claims", claims);
        json.put("cells", results);
        json.put("tables", tables);
        AtomicFiles.writeJson(grid.resolve("results.json"), json);
        Path md = grid.resolve("report.md");
        AtomicFiles.writeString(md, markdown(tables, plots.keySet()));
        AtomicFiles.writeString(grid.resolve("report.html"), html(tables, plots));
        return md;
    }

    private static Map<String, List<CellResult>> byMethodAlgo(List<CellResult> results) {
        Map<String, List<CellResult>> groups = new LinkedHashMap<>();
        for (CellResult r : results) {
            if (r.ok()) {
                groups.computeIfAbsent(r.method() + "\t" + r.algo().configName(), k -> new ArrayList<>()).add(r);
            }
        }
        return groups;
    }

    /** Mean, sd and count of one metric over cells that have it. */
    static double[] stats(List<CellResult> rows, Function<CellResult, Map<String, Double>> section, String key) {
        List<Double> values = new ArrayList<>();
        for (CellResult r : rows) {
            Map<String, Double> metrics = section.apply(r);
            Double v = metrics == null ? null : metrics.get(key);
            if (v != null) {
                values.add(v);
            }
        }
        if (values.isEmpty()) {
            return new double[] {Double.NaN, Double.NaN, 0};
        }
        double mean = values.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        double var = values.stream().mapToDouble(v -> (v - mean) * (v - mean)).sum() / Math.max(1, values.size() - 1);
        return new double[] {mean, Math.sqrt(var), values.size()};
    }

    static String pm(double[] s, String format) {
        if (Double.isNaN(s[0])) {
            return "n/a";
        }
        String mean = String.format(Locale.ROOT, format, s[0]);
        return s[2] > 1 ? mean + " ± " + String.format(Locale.ROOT, format, s[1]) : mean;
    }

    private static Table accuracy(List<CellResult> results) {
        Map<String, List<CellResult>> groups = byMethodAlgo(results);
        List<List<String>> rows = new ArrayList<>();
        for (Map.Entry<String, List<CellResult>> g : groups.entrySet()) {
            String[] key = g.getKey().split("\t");
            double[] acc = stats(g.getValue(), CellResult::evaluation, ACCURACY);
            List<CellResult> full = groups.get("full\t" + key[1]);
            String gap = full == null ? "n/a" : String.format(Locale.ROOT, "%+.1f", 100 * (acc[0] - stats(full, CellResult::evaluation, ACCURACY)[0]));
            rows.add(List.of(key[0], key[1], pm(acc, "%.3f"), gap, Integer.toString((int) acc[2])));
        }
        return new Table("Held-out accuracy (PEFT ablation)", "gap = method minus full fine-tuning, in points, same algorithm",
                List.of("method", "algo", "accuracy", "gap to full (pts)", "runs"), rows);
    }

    private static Table sparsity(List<CellResult> results) {
        List<List<String>> rows = new ArrayList<>();
        for (CellResult r : results) {
            if (r.ok()) {
                Map<String, Double> trained = r.geometryTrained() != null ? r.geometryTrained() : r.geometry();
                rows.add(List.of(r.cell(), r.method(), r.algo().configName(),
                        String.format(Locale.ROOT, "%.1f%%", 100 * trained.get(GeometryKeys.BF16_SPARSITY)),
                        String.format(Locale.ROOT, "%.1f%%", 100 * r.geometry().get(GeometryKeys.BF16_SPARSITY)),
                        String.format(Locale.ROOT, "%.1f%%", 100 * trained.get(GeometryKeys.ATOL_SPARSITY))));
            }
        }
        return new Table("bf16 update sparsity per run (PNT Table 1 form)", "fraction of weights unchanged, PNT rule on bf16 "
                + "values: over the weights the methods can change (the linear projections; every method here targets all of them)"
                + " and over all weights (embedding, output head and norms included, which no method trains); and |dw| <= 1e-5 over"
                + " the trained weights",
                List.of("run", "method", "algo", "bf16 sparsity (trained weights)", "bf16 sparsity (all weights)",
                        "atol sparsity (trained weights)"), rows);
    }

    private static Table spectrum(List<CellResult> results) {
        List<List<String>> rows = new ArrayList<>();
        for (Map.Entry<String, List<CellResult>> g : byMethodAlgo(results).entrySet()) {
            String[] key = g.getKey().split("\t");
            rows.add(List.of(key[0], key[1], pm(stats(g.getValue(), CellResult::geometry, GeometryKeys.NSS), "%.2e"),
                    pm(stats(g.getValue(), CellResult::geometry, GeometryKeys.MAX_ANGLE_U_DEG), "%.2f"),
                    pm(stats(g.getValue(), CellResult::geometry, GeometryKeys.MAX_ANGLE_V_DEG), "%.2f"),
                    pm(stats(g.getValue(), CellResult::geometry, GeometryKeys.WEDIN_BOUND_DEG), "%.2f")));
        }
        return new Table("Spectrum and principal subspaces", "parameter-weighted over matrices; angles in degrees",
                List.of("method", "algo", "NSS", "max angle U", "max angle V", "Wedin bound"), rows);
    }

    private static Table crossRun(Path grid) throws IOException {
        List<List<String>> rows = new ArrayList<>();
        Path groups = grid.resolve("groups");
        if (Files.isDirectory(groups)) {
            try (var dirs = Files.list(groups)) {
                for (Path dir : dirs.sorted().toList()) {
                    JsonNode d = JSON.readTree(dir.resolve("diagnosis.json").toFile());
                    Map<String, double[]> byType = new TreeMap<>();
                    for (JsonNode m : d.path("cross_run").path("per_matrix")) {
                        String type = MODULE_TYPES.stream().filter(t -> m.path("name").asText().contains(t + ".")).findFirst().orElse(null);
                        if (type != null && m.path("mean_jaccard").isNumber()) {
                            double[] s = byType.computeIfAbsent(type, t -> new double[3]);
                            s[0] += m.path("mean_jaccard").asDouble();
                            s[1] += m.path("mean_random_baseline").asDouble();
                            s[2]++;
                        }
                    }
                    List<String> row = new ArrayList<>(List.of(dir.getFileName().toString()));
                    for (String type : MODULE_TYPES) {
                        double[] s = byType.get(type);
                        row.add(s == null ? "n/a" : String.format(Locale.ROOT, "%.3f / %.3f", s[0] / s[2], s[1] / s[2]));
                    }
                    rows.add(row);
                }
            }
        }
        List<String> columns = new ArrayList<>(List.of("group"));
        columns.addAll(MODULE_TYPES);
        return new Table("Cross-run consistency of update masks", "mean pairwise Jaccard / random baseline p q / (p + q - p q), over seeds; needs two or more seeds",
                columns, rows);
    }

    private static Table overlap(List<CellResult> results, double alpha) {
        List<List<String>> rows = new ArrayList<>();
        for (Map.Entry<String, List<CellResult>> g : byMethodAlgo(results).entrySet()) {
            String[] key = g.getKey().split("\t");
            rows.add(List.of(key[0], key[1], pm(stats(g.getValue(), CellResult::geometry, GeometryKeys.OVERLAP_PRINCIPAL), "%.3f"),
                    pm(stats(g.getValue(), CellResult::geometry, GeometryKeys.OVERLAP_LOW_MAGNITUDE), "%.3f"), String.format(Locale.ROOT, "%.2f", alpha)));
        }
        return new Table("Where the update lands", "share of changed weights inside the principal / low-magnitude mask of density alpha (random: alpha)",
                List.of("method", "algo", "overlap principal", "overlap low-magnitude", "alpha"), rows);
    }

    private static Map<String, String> plots(Path grid, List<CellResult> results) throws IOException {
        Map<String, List<double[]>> reward = new LinkedHashMap<>();
        Map<String, List<double[]>> accuracy = new LinkedHashMap<>();
        Map<String, List<double[]>> angles = new LinkedHashMap<>();
        Map<String, List<double[]>> layers = new LinkedHashMap<>();
        for (CellResult r : results) {
            if (!r.ok()) {
                continue;
            }
            Path dir = grid.resolve("cells").resolve(r.cell());
            String label = r.method() + " " + r.algo().configName() + " s" + r.seed();
            for (String line : Files.readAllLines(dir.resolve("metrics.jsonl"))) {
                JsonNode m = JSON.readTree(line);
                if (m.has("reward")) {
                    reward.computeIfAbsent(label, k -> new ArrayList<>()).add(new double[] {m.path("step").asDouble(), m.path("reward").asDouble()});
                }
                if (m.has("eval/accuracy")) {
                    accuracy.computeIfAbsent(label, k -> new ArrayList<>()).add(new double[] {m.path("step").asDouble(), m.path("eval/accuracy").asDouble()});
                }
            }
            JsonNode d = JSON.readTree(dir.resolve("diagnosis.json").toFile());
            Map<Integer, double[]> perLayer = new TreeMap<>();
            for (JsonNode m : d.path("runs").get(0).path("matrices")) {
                String name = m.path("name").asText();
                if (name.equals("model.layers.0.self_attn.q_proj.weight")) {
                    List<double[]> curve = new ArrayList<>();
                    int i = 1;
                    for (JsonNode a : m.path(GeometryKeys.ANGLES_U_DEG)) {
                        curve.add(new double[] {i++, a.asDouble()});
                    }
                    angles.put(label, curve);
                }
                Matcher layer = LAYER.matcher(name);
                if (layer.find()) {
                    double[] s = perLayer.computeIfAbsent(Integer.parseInt(layer.group(1)), k -> new double[2]);
                    s[0] += m.path(GeometryKeys.BF16_SPARSITY).asDouble();
                    s[1]++;
                }
            }
            List<double[]> sparsity = new ArrayList<>();
            perLayer.forEach((l, s) -> sparsity.add(new double[] {l, s[0] / s[1]}));
            layers.put(label, sparsity);
        }
        Map<String, String> out = new LinkedHashMap<>();
        put(out, "GRPO reward during training", Plots.lines("GRPO reward", "step", "mean reward", reward));
        put(out, "Held-out accuracy during training", Plots.lines("Held-out accuracy", "step", "accuracy", accuracy));
        put(out, "Principal angles of layer 0 q_proj (left, vs base)", Plots.lines("Principal angles, layers.0.self_attn.q_proj", "index i", "theta_i (degrees)", angles));
        put(out, "bf16 update sparsity per layer", Plots.lines("bf16 sparsity per layer", "layer", "fraction unchanged", layers));
        return out;
    }

    private static void put(Map<String, String> out, String title, String uri) {
        if (uri != null) {
            out.put(title, uri);
        }
    }

    private static String csv(List<CellResult> results) {
        StringBuilder out = new StringBuilder("cell,method,algo,task,seed,status,accuracy,"
                + String.join(",", GeometryKeys.SUMMARY) + ",seconds\n");
        for (CellResult r : results) {
            out.append(String.join(",", r.cell(), r.method(), r.algo().configName(), r.task(), Long.toString(r.seed()),
                    r.status().configName(), cell(r.evaluation(), ACCURACY)));
            for (String key : GeometryKeys.SUMMARY) {
                out.append(',').append(cell(r.geometry(), key));
            }
            out.append(',').append(String.format(Locale.ROOT, "%.1f", r.seconds())).append('\n');
        }
        return out.toString();
    }

    private static String cell(Map<String, Double> metrics, String key) {
        Double v = metrics == null ? null : metrics.get(key);
        return v == null ? "" : v.toString();
    }

    private static String markdown(List<Table> tables, java.util.Set<String> plotTitles) {
        StringBuilder out = new StringBuilder("# oplora PEFT ablation report\n\n");
        for (Table t : tables) {
            out.append("## ").append(t.title()).append("\n\n").append(t.note()).append("\n\n");
            out.append("| ").append(String.join(" | ", t.columns())).append(" |\n|");
            out.append("---|".repeat(t.columns().size())).append('\n');
            for (List<String> row : t.rows()) {
                out.append("| ").append(String.join(" | ", row)).append(" |\n");
            }
            if (t.rows().isEmpty()) {
                out.append("| ").append("n/a | ".repeat(t.columns().size())).append('\n');
            }
            out.append('\n');
        }
        out.append("Plots (in report.html): ").append(String.join("; ", plotTitles)).append(".\n");
        return out.toString();
    }

    private static String html(List<Table> tables, Map<String, String> plots) {
        StringBuilder out = new StringBuilder("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>oplora report</title>"
                + "<style>body{font-family:sans-serif;margin:2em;max-width:1100px}table{border-collapse:collapse;margin-bottom:1.5em}"
                + "td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#f0f0f0}td:first-child{text-align:left}"
                + "p.note{color:#555}</style></head><body><h1>oplora PEFT ablation report</h1>");
        for (Table t : tables) {
            out.append("<h2>").append(escape(t.title())).append("</h2><p class=\"note\">").append(escape(t.note())).append("</p><table><tr>");
            for (String c : t.columns()) {
                out.append("<th>").append(escape(c)).append("</th>");
            }
            out.append("</tr>");
            for (List<String> row : t.rows()) {
                out.append("<tr>");
                for (String c : row) {
                    out.append("<td>").append(escape(c)).append("</td>");
                }
                out.append("</tr>");
            }
            out.append("</table>");
        }
        plots.forEach((title, uri) -> out.append("<h2>").append(escape(title)).append("</h2><img alt=\"").append(escape(title))
                .append("\" src=\"").append(uri).append("\">"));
        return out.append("</body></html>\n").toString();
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
