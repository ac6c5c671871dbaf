package dev.oplora.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.oplora.precision.Bf16;
import dev.oplora.safetensors.Dtype;
import dev.oplora.safetensors.SafetensorsWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** diagnose on checkpoint folders whose answers are known by construction. */
class DiagnoseCommandTest {

    @TempDir
    Path dir;

    static final int OUT = 24;
    static final int IN = 16;

    /** A base weight of bf16-exact values with a clear spectrum. */
    static float[] baseWeight() {
        SplittableRandom random = new SplittableRandom(3);
        float[] w = new float[OUT * IN];
        for (int i = 0; i < w.length; i++) {
            w[i] = Bf16.round((float) (random.nextGaussian() + 0.5));
        }
        return w;
    }

    Path folder(String name, float[] q, float[] other) throws Exception {
        Path f = dir.resolve(name);
        new SafetensorsWriter()
                .add("model.layers.0.self_attn.q_proj.weight", Dtype.BF16, new long[] {OUT, IN}, q)
                .add("model.layers.0.mlp.up_proj.weight", Dtype.F32, new long[] {other.length / IN, IN}, other)
                .add("model.norm.weight", Dtype.F32, new long[] {IN}, new float[IN])
                .write(f.resolve("model.safetensors"));
        return f;
    }

    JsonNode diagnose(Path base, Path... tuned) throws Exception {
        Path json = dir.resolve("d.json");
        String[] args = new String[9 + 2 * tuned.length];
        int i = 0;
        for (String a : new String[] {"diagnose", "--base", base.toString(), "--k", "4", "--alpha", "0.25", "--json", json.toString()}) {
            args[i++] = a;
        }
        for (Path t : tuned) {
            args[i++] = "--tuned";
            args[i++] = t.toString();
        }
        CliTest.Run run = CliTest.cli(args);
        assertTrue(run.code() == 0 || run.code() == 4, run.err());
        return new ObjectMapper().readTree(json.toFile());
    }

    @Test
    void identicalFoldersGiveZeros() throws Exception {
        float[] w = baseWeight();
        JsonNode d = diagnose(folder("base", w, w), folder("same", w.clone(), w.clone()));
        for (JsonNode m : d.path("runs").get(0).path("matrices")) {
            assertEquals(1.0, m.path("bf16_sparsity").asDouble());
            assertEquals(0.0, m.path("nss").asDouble());
            assertTrue(m.path("max_angle_u_deg").asDouble() < 1e-6);
            assertEquals(0.0, m.path("update_density").asDouble());
            assertTrue(m.path("overlap_principal").isNull(), "no update: no overlap");
        }
        assertEquals(2, d.path("runs").get(0).path("matrices").size(), "the 1-D norm is skipped");
        assertEquals(4, d.path("k").asInt());
    }

    @Test
    void knownSparseDeltaAndCrossRun() throws Exception {
        float[] w = baseWeight();
        float[] a = w.clone();
        float[] b = w.clone();
        for (int i = 0; i < 40; i++) {
            a[i * 3] *= 1.5f;       // 40 bf16-visible changes
            b[i * 3 + (i % 2)] *= 1.5f; // 20 shared with a, 20 others
        }
        JsonNode d = diagnose(folder("base", w, w), folder("a", a, w), folder("b", b, w));
        JsonNode qa = named(d.path("runs").get(0).path("matrices"), "model.layers.0.self_attn.q_proj.weight");
        assertEquals(1 - 40.0 / (OUT * IN), qa.path("bf16_sparsity").asDouble(), 1e-12);
        assertEquals(40.0 / (OUT * IN), qa.path("update_density").asDouble(), 1e-12);
        JsonNode perMatrix = named(d.path("cross_run").path("per_matrix"), "model.layers.0.self_attn.q_proj.weight");
        assertEquals(20.0 / 60, perMatrix.path("jaccard").get(0).get(1).asDouble(), 1e-12);
        double p = 40.0 / (OUT * IN);
        assertEquals(p * p / (2 * p - p * p), perMatrix.path("jaccard_random_baseline").get(0).get(1).asDouble(), 1e-12);
        assertTrue(d.path("cross_run").path("jaccard").get(0).get(1).isNumber());
    }

    static JsonNode named(JsonNode array, String name) {
        for (JsonNode n : array) {
            if (n.path("name").asText().equals(name)) {
                return n;
            }
        }
        throw new AssertionError(name + " not in " + array);
    }

    @Test
    void knownRotationGivesItsAngle() throws Exception {
        // Rotate the row space: W1 = W0 R with R a rotation by 10 degrees in the plane of v1 and a
        // direction outside span(V_4); the top-4 right subspace turns by exactly 10 degrees.
        org.nd4j.linalg.api.ndarray.INDArray w0 = org.nd4j.linalg.factory.Nd4j.create(baseWeight(), new long[] {OUT, IN},
                org.nd4j.linalg.api.buffer.DataType.FLOAT).castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE);
        dev.oplora.svd.Svd svd = dev.oplora.svd.Svds.full(w0);
        org.nd4j.linalg.api.ndarray.INDArray v1 = svd.vt().getRow(0).reshape(IN, 1);
        org.nd4j.linalg.api.ndarray.INDArray x = svd.vt().getRow(IN - 1).reshape(IN, 1);
        double t = Math.toRadians(10);
        org.nd4j.linalg.api.ndarray.INDArray r = org.nd4j.linalg.factory.Nd4j.eye(IN).castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE)
                .addi(v1.mmul(v1.transpose()).addi(x.mmul(x.transpose())).muli(Math.cos(t) - 1))
                .addi(x.mmul(v1.transpose()).subi(v1.mmul(x.transpose())).muli(Math.sin(t)));
        float[] rotated = w0.mmul(r.transpose()).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).data().asFloat();
        float[] base = w0.castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).data().asFloat();
        Path b = dir.resolve("rb");
        new SafetensorsWriter().add("w", Dtype.F32, new long[] {OUT, IN}, base).write(b.resolve("model.safetensors"));
        Path tuned = dir.resolve("rt");
        new SafetensorsWriter().add("w", Dtype.F32, new long[] {OUT, IN}, rotated).write(tuned.resolve("model.safetensors"));
        JsonNode m = diagnose(b, tuned).path("runs").get(0).path("matrices").get(0);
        assertEquals(10.0, m.path("max_angle_v_deg").asDouble(), 1e-3);
        assertTrue(m.path("max_angle_u_deg").asDouble() < 1e-3, "left subspace unchanged");
        assertEquals(0.0, m.path("nss").asDouble(), 1e-6);
        assertTrue(m.path("wedin_bound_deg").asDouble() >= 10.0);
    }

    @Test
    void mismatchedShapesAreReportedPerTensor() throws Exception {
        float[] w = baseWeight();
        Path base = folder("base", w, w);
        Path odd = folder("odd", w, java.util.Arrays.copyOf(w, (OUT - 8) * IN));
        CliTest.Run run = CliTest.cli("diagnose", "--base", base.toString(), "--tuned", odd.toString(), "--k", "4",
                "--json", dir.resolve("m.json").toString());
        assertEquals(4, run.code());
        assertTrue(run.err().contains("model.layers.0.mlp.up_proj.weight: shape [16, 16] differs from the base's [24, 16]"), run.err());
        JsonNode d = new ObjectMapper().readTree(dir.resolve("m.json").toFile());
        assertEquals(1, d.path("runs").get(0).path("matrices").size(), "the other tensor is still processed");
        CliTest.Run missing = CliTest.cli("diagnose", "--base", base.toString(), "--tuned", dir.resolve("absent").toString());
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("does not exist"), missing.err());
        assertTrue(Files.notExists(dir.resolve("absent")));
    }
}
