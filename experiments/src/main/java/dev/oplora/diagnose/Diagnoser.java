package dev.oplora.diagnose;

import dev.oplora.geometry.BaseAnalysis;
import dev.oplora.geometry.CrossRun;
import dev.oplora.geometry.GeometryKeys;
import dev.oplora.geometry.MatrixGeometry;
import dev.oplora.mask.Mask;
import dev.oplora.safetensors.TensorInfo;
import dev.oplora.safetensors.WeightStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The paper's parameter-level metrics for every 2-D weight present in a base checkpoint and in
 * each tuned checkpoint. Streams one tensor at a time (memory: the base matrix, one tuned
 * matrix, their SVD workspace and one update mask per run), SVDs in float64.
 */
public final class Diagnoser {

    private Diagnoser() {
    }

    /**
     * @param progress called with each tensor name as it is processed
     */
    public static Diagnosis run(Path base, List<Path> tuned, int k, double alpha, Consumer<String> progress) throws IOException {
        if (tuned.isEmpty()) {
            throw new IllegalArgumentException("diagnose needs at least one --tuned folder");
        }
        if (k <= 0) {
            throw new IllegalArgumentException("--k must be positive, got " + k);
        }
        if (!(alpha > 0 && alpha <= 1)) {
            throw new IllegalArgumentException("--alpha must be in (0, 1], got " + alpha);
        }
        List<WeightStore> stores = new ArrayList<>();
        try (WeightStore baseStore = WeightStore.open(base)) {
            for (Path t : tuned) {
                stores.add(WeightStore.open(t));
            }
            List<List<Diagnosis.Matrix>> matrices = new ArrayList<>();
            List<List<MatrixGeometry>> geometries = new ArrayList<>();
            List<List<Diagnosis.Problem>> problems = new ArrayList<>();
            for (int r = 0; r < tuned.size(); r++) {
                matrices.add(new ArrayList<>());
                geometries.add(new ArrayList<>());
                problems.add(new ArrayList<>());
            }
            List<Diagnosis.PerMatrix> perMatrix = new ArrayList<>();
            long[][] both = new long[tuned.size()][tuned.size()];
            long[] counts = new long[tuned.size()];
            long total = 0;
            for (String name : baseStore.names()) {
                TensorInfo info = baseStore.info(name);
                if (info.rank() != 2 || !info.dtype().isFloating() || Math.min(info.shape()[0], info.shape()[1]) < 2) {
                    continue;
                }
                progress.accept(name);
                INDArray w0 = matrix(baseStore.readFloats(name), info.shape());
                BaseAnalysis analysis = BaseAnalysis.of(w0, k, alpha);
                List<Mask> masks = new ArrayList<>();
                for (int r = 0; r < stores.size(); r++) {
                    WeightStore store = stores.get(r);
                    if (!store.contains(name)) {
                        problems.get(r).add(new Diagnosis.Problem(name, "missing from the tuned checkpoint"));
                        continue;
                    }
                    TensorInfo tunedInfo = store.info(name);
                    if (!java.util.Arrays.equals(tunedInfo.shape(), info.shape())) {
                        problems.get(r).add(new Diagnosis.Problem(name, "shape " + java.util.Arrays.toString(tunedInfo.shape())
                                + " differs from the base's " + java.util.Arrays.toString(info.shape())));
                        continue;
                    }
                    try {
                        MatrixGeometry.Comparison c = MatrixGeometry.compare(analysis, matrix(store.readFloats(name), info.shape()));
                        matrices.get(r).add(row(name, info.shape(), c.geometry()));
                        geometries.get(r).add(c.geometry());
                        masks.add(c.updateMask());
                    } catch (IllegalArgumentException e) {
                        problems.get(r).add(new Diagnosis.Problem(name, e.getMessage()));
                    }
                }
                if (tuned.size() >= 2 && masks.size() == tuned.size()) {
                    CrossRun cross = CrossRun.of(masks);
                    perMatrix.add(perMatrix(name, cross));
                    for (int a = 0; a < masks.size(); a++) {
                        counts[a] += masks.get(a).count();
                        for (int b = 0; b < masks.size(); b++) {
                            both[a][b] += masks.get(a).intersectionCount(masks.get(b));
                        }
                    }
                    total += masks.get(0).size();
                }
            }
            List<Diagnosis.Run> runs = new ArrayList<>();
            for (int r = 0; r < tuned.size(); r++) {
                List<MatrixGeometry> trained = new ArrayList<>();
                for (int i = 0; i < matrices.get(r).size(); i++) {
                    if (matrices.get(r).get(i).name().endsWith("_proj.weight")) {
                        trained.add(geometries.get(r).get(i));
                    }
                }
                runs.add(new Diagnosis.Run(tuned.get(r).toString(), matrices.get(r), summary(geometries.get(r)),
                        summary(trained), problems.get(r)));
            }
            Diagnosis.CrossRunSummary crossRun = tuned.size() < 2 ? null
                    : new Diagnosis.CrossRunSummary(globalJaccard(both, counts), globalBaseline(counts, total), perMatrix);
            return new Diagnosis(k, alpha, base.toString(), runs, crossRun);
        } finally {
            for (WeightStore s : stores) {
                s.close();
            }
        }
    }

    private static INDArray matrix(float[] values, long[] shape) {
        return Nd4j.create(values, shape, DataType.FLOAT);
    }

    private static Diagnosis.Matrix row(String name, long[] shape, MatrixGeometry g) {
        return new Diagnosis.Matrix(name, shape, g.k(), g.bf16Sparsity(), g.atolSparsity(), g.nss(), g.anglesUDeg(),
                g.anglesVDeg(), g.maxAngleUDeg(), g.maxAngleVDeg(), finite(g.overlapPrincipal()),
                finite(g.overlapLowMagnitude()), g.updateDensity(), g.sigmaGapK(), g.wedinBoundDeg());
    }

    /** Parameter-weighted means of the {@link GeometryKeys#SUMMARY} metrics over the run's matrices. */
    static Map<String, Double> summary(List<MatrixGeometry> rows) {
        Map<String, double[]> sums = new LinkedHashMap<>();
        long parameters = 0;
        for (MatrixGeometry m : rows) {
            long n = m.rows() * m.cols();
            parameters += n;
            Map<String, Double> values = m.summaryValues();
            for (String key : GeometryKeys.SUMMARY) {
                add(sums, key, values.get(key), n);
            }
        }
        Map<String, Double> out = new LinkedHashMap<>();
        out.put(GeometryKeys.PARAMETERS, (double) parameters);
        out.put(GeometryKeys.MATRICES, (double) rows.size());
        sums.forEach((key, v) -> out.put(key, v[0] / v[1]));
        return out;
    }

    private static void add(Map<String, double[]> sums, String key, Double value, long weight) {
        if (value != null && Double.isFinite(value)) {
            double[] s = sums.computeIfAbsent(key, x -> new double[2]);
            s[0] += value * weight;
            s[1] += weight;
        }
    }

    private static Diagnosis.PerMatrix perMatrix(String name, CrossRun c) {
        double sum = 0;
        double base = 0;
        int pairs = 0;
        for (int a = 0; a < c.jaccard().length; a++) {
            for (int b = a + 1; b < c.jaccard().length; b++) {
                if (Double.isFinite(c.jaccard()[a][b])) {
                    sum += c.jaccard()[a][b];
                    base += c.randomBaseline()[a][b];
                    pairs++;
                }
            }
        }
        return new Diagnosis.PerMatrix(name, boxed(c.jaccard()), boxed(c.randomBaseline()), finite(c.consensusRatio()),
                pairs == 0 ? null : sum / pairs, pairs == 0 ? null : base / pairs);
    }

    private static Double[][] globalJaccard(long[][] both, long[] counts) {
        int n = counts.length;
        Double[][] out = new Double[n][n];
        for (int a = 0; a < n; a++) {
            for (int b = 0; b < n; b++) {
                long union = counts[a] + counts[b] - both[a][b];
                out[a][b] = union == 0 ? null : both[a][b] / (double) union;
            }
        }
        return out;
    }

    private static Double[][] globalBaseline(long[] counts, long total) {
        int n = counts.length;
        Double[][] out = new Double[n][n];
        for (int a = 0; a < n; a++) {
            for (int b = 0; b < n; b++) {
                out[a][b] = total == 0 ? null : finite(CrossRun.randomBaseline(counts[a] / (double) total, counts[b] / (double) total));
            }
        }
        return out;
    }

    static Double[][] boxed(double[][] x) {
        Double[][] out = new Double[x.length][];
        for (int i = 0; i < x.length; i++) {
            out[i] = new Double[x[i].length];
            for (int j = 0; j < x[i].length; j++) {
                out[i][j] = finite(x[i][j]);
            }
        }
        return out;
    }

    static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
