package dev.oplora.adapters;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.oplora.adapters.config.AdapterConfig;
import dev.oplora.adapters.config.Method;
import dev.oplora.adapters.config.TargetModules;
import dev.oplora.init.AdapterInit;
import dev.oplora.init.InitOptions;
import dev.oplora.init.LowRankInit;
import dev.oplora.svd.Subspace;
import dev.oplora.svd.SvdSolver;
import dev.oplora.svd.Svds;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * DoRA (use_dora) and the inits PEFT added (orthogonal, olora, pissa_niter_K), plus op-lora's
 * kaiming-scaled rows: each against constructed truth or an independent formula.
 */
class DoraAndInitsTest {

    static InitOptions options(int rank) {
        return new InitOptions(rank, 2 * rank, false, 4, 7, new SvdSolver.Partial());
    }

    /**
     * DoRA's output is (m / ||W + s B A||) (W + s B A) x + b row by row; its gradient w.r.t. A,
     * B and m treats the norm as a constant (PEFT, DoRA 4.3). Both checked against that formula in
     * float64 ND4J: the output directly, the gradient by central differences along a random
     * direction with the norm held at the base point.
     */
    @Test
    void doraForwardAndGradientMatchTheFormula() {
        try (TinyRegression model = new TinyRegression(11)) {
            LinearLayer layer = model.up();
            LoraAdapter dora = LoraAdapter.attach(layer, new AdapterInit.Lora(false), options(4), 0f, false).withDora(layer);
            // Move away from the no-op start: random B, magnitudes off the norms.
            dora.b().set(model.manager.randomNormal(dora.b().getShape()).mul(0.3f).toFloatArray());
            dora.magnitude().muli(model.manager.randomUniform(0.5f, 1.5f, dora.magnitude().getShape()));
            NDArray x = model.x.get("0:8, :");
            INDArray expected = doraOutput(layer, dora, EngineBridge.toNd4j(x), null);
            INDArray actual = EngineBridge.toNd4j(layer.apply(x, false));
            assertTrue(expected.sub(actual).amaxNumber().doubleValue() < 1e-5, "DoRA forward = formula");

            NDArray target = model.manager.randomNormal(new ai.djl.ndarray.types.Shape(8, 24));
            try (GradientCollector collector = model.manager.getEngine().newGradientCollector()) {
                collector.backward(layer.apply(x, true).sub(target).square().sum());
            }
            SplittableRandom random = new SplittableRandom(3);
            INDArray norm0 = rowNorms(layer, dora);
            double analytic = 0;
            INDArray[] direction = new INDArray[3];
            NDArray[] params = {dora.a(), dora.b(), dora.magnitude()};
            for (int i = 0; i < 3; i++) {
                direction[i] = random(random, params[i].getShape().getShape());
                analytic += EngineBridge.toNd4j(params[i].getGradient()).castTo(DataType.DOUBLE).mul(direction[i]).sumNumber().doubleValue();
            }
            double eps = 1e-4;
            double plus = loss(layer, dora, x, target, direction, eps, norm0);
            double minus = loss(layer, dora, x, target, direction, -eps, norm0);
            double numeric = (plus - minus) / (2 * eps);
            assertEquals(numeric, analytic, 1e-3 * Math.max(1, Math.abs(numeric)), "<grad, v> vs central differences");
        }
    }

    /** Merging DoRA gives the weight its forward pass applies; unmerging restores W. */
    @Test
    void doraMergesAndUnmerges() {
        try (TinyRegression model = new TinyRegression(12)) {
            LinearLayer layer = model.up();
            float[] w = layer.weight().toFloatArray();
            LoraAdapter dora = LoraAdapter.attach(layer, new AdapterInit.OpLora(), options(4), 0f, false).withDora(layer);
            float base;
            try (TinyRegression plain = new TinyRegression(12)) {
                base = plain.loss();
            }
            assertEquals(base, model.loss(), 1e-5f, "op-dora is a no-op at step 0");
            model.train(20, 0.02f, m -> { });
            float[] before = layer.apply(model.x, false).toFloatArray();
            layer.merge();
            assertArrayEquals(before, layer.apply(model.x, false).toFloatArray(), 2e-5f, "merged = unmerged forward");
            layer.unmerge();
            assertArrayEquals(w, layer.weight().toFloatArray(), 1e-5f, "unmerge restores W");
            assertEquals(4 * (16 + 24) + 24, layer.trainableParameterCount(), "A, B and the magnitude train");
        }
    }

    /** DoRA and op-DoRA through PEFT's files: the magnitude vector under PEFT's key, identical outputs after loading. */
    @ParameterizedTest
    @ValueSource(strings = {"dora", "op-dora"})
    void doraPeftRoundTrip(String method, @TempDir Path dir) throws IOException {
        AdapterConfig config = ((Method.LowRank) Method.parse(method)).adapter(4, 0, 3, 1);
        config = config.toBuilder().r(4).loraAlpha(8.0).targetModules(TargetModules.of("up_proj", "down_proj")).build();
        float[] trained;
        try (TinyRegression model = new TinyRegression(13)) {
            Injector.Injected injected = Injector.inject(model.layers, config);
            model.train(20, 0.02f, m -> { });
            trained = model.forward(model.x).toFloatArray();
            PeftFiles.save(dir, injected, "tiny");
        }
        try (var file = dev.oplora.safetensors.SafetensorsFile.open(dir.resolve(PeftFiles.WEIGHTS))) {
            assertArrayEquals(new long[] {24}, file.info("base_model.model.model.layers.0.mlp.up_proj.lora_magnitude_vector").shape());
        }
        try (TinyRegression fresh = new TinyRegression(13)) {
            Injector.Injected loaded = PeftFiles.load(dir, fresh.layers);
            assertTrue(loaded.config().useDora());
            assertArrayEquals(trained, fresh.forward(fresh.x).toFloatArray(), 1e-5f);
        }
    }

    /** PEFT's orthogonal init: B0 A0 = 0 exactly although neither factor is zero; odd ranks refused. */
    @Test
    void orthogonalInitGivesAZeroProductOfNonZeroFactors() {
        INDArray w = Nd4j.randn(DataType.DOUBLE, 20, 30);
        LowRankInit init = new AdapterInit.Orthogonal().apply(w, options(6));
        INDArray ba = Nd4j.gemm(init.b(), init.a(), false, false);
        assertTrue(ba.amaxNumber().doubleValue() < 1e-12, "B0 A0 = " + ba.amaxNumber());
        assertTrue(init.a().norm2Number().doubleValue() > 0.1 && init.b().norm2Number().doubleValue() > 0.1);
        assertArrayEquals(new long[] {6, 30}, init.a().shape());
        assertArrayEquals(new long[] {20, 6}, init.b().shape());
        assertThrows(IllegalArgumentException.class, () -> new AdapterInit.Orthogonal().apply(w, options(5)));
    }

    /** OLoRA: W = Q R; B0 = Q_r (orthonormal columns), A0 = R_r = Q_r^T W, residual + s B0 A0 = W. */
    @ParameterizedTest
    @ValueSource(strings = {"20x30", "30x20"})
    void oloraSplitsTheQrFactors(String shape) {
        int m = Integer.parseInt(shape.split("x")[0]);
        int n = Integer.parseInt(shape.split("x")[1]);
        INDArray w = Nd4j.randn(DataType.DOUBLE, m, n);
        LowRankInit init = new AdapterInit.OLora().apply(w, options(4));
        INDArray gram = Nd4j.gemm(init.b(), init.b(), true, false);
        assertTrue(gram.sub(Nd4j.eye(4)).amaxNumber().doubleValue() < 1e-12, "B0 has orthonormal columns");
        assertTrue(Nd4j.gemm(init.b(), w, true, false).sub(init.a()).amaxNumber().doubleValue() < 1e-10, "A0 = B0^T W");
        INDArray rebuilt = init.residual().add(Nd4j.gemm(init.b(), init.a(), false, false).mul(init.scaling()));
        assertTrue(rebuilt.sub(w).amaxNumber().doubleValue() < 1e-10, "residual + s B0 A0 = W");
        // The first column of W lies in span(B0): Householder QR starts from it.
        INDArray first = w.getColumn(0).reshape(m, 1);
        INDArray leftover = first.sub(Nd4j.gemm(init.b(), Nd4j.gemm(init.b(), first, true, false), false, false));
        assertTrue(leftover.norm2Number().doubleValue() < 1e-10);
    }

    /** pissa_niter_K: a randomized PiSSA; on a matrix with a spectral gap its adapter spans the top-r subspaces. */
    @Test
    void pissaNiterFindsThePrincipalSubspace() {
        SplittableRandom random = new SplittableRandom(5);
        INDArray u = Subspace.spanOf(random(random, 60, 40)).basis();
        INDArray v = Subspace.spanOf(random(random, 50, 40)).basis();
        double[] s = new double[40];
        for (int i = 0; i < 40; i++) {
            s[i] = i < 4 ? 10 - i : 1.0 / (i + 1);
        }
        INDArray w = Nd4j.gemm(u.mulRowVector(Nd4j.createFromArray(s)), v, false, true);
        AdapterInit init = AdapterInit.parse("pissa_niter_4");
        assertEquals("pissa_niter_4", init.name());
        LowRankInit start = init.apply(w, options(4));
        INDArray rebuilt = start.residual().add(Nd4j.gemm(start.b(), start.a(), false, false).mul(start.scaling()));
        assertTrue(rebuilt.sub(w).amaxNumber().doubleValue() < 1e-9, "residual + s B0 A0 = W");
        double[] angles = dev.oplora.geometry.PrincipalAngles.degrees(Subspace.spanOf(start.b()), Subspace.left(Svds.top(w, 4), 4));
        assertTrue(angles[angles.length - 1] < 0.1, "span(B0) = span(U_4), max angle " + angles[angles.length - 1]);
    }

    /** a0_norm kaiming: op-lora rows have LoRA's expected kaiming-uniform row norm, 1/sqrt(3), and stay off V_k. */
    @Test
    void kaimingScaledOpLoraRows() {
        INDArray w = Nd4j.randn(DataType.DOUBLE, 24, 32);
        InitOptions kaiming = new InitOptions(4, 8, false, 4, 7, new SvdSolver.Partial(), 1 / Math.sqrt(3));
        INDArray a = new AdapterInit.OpLora().apply(w, kaiming).a();
        for (int i = 0; i < 4; i++) {
            assertEquals(1 / Math.sqrt(3), a.getRow(i).norm2Number().doubleValue(), 1e-9);
        }
        INDArray vk = Subspace.right(Svds.top(w, 4), 4).basis();
        assertTrue(Nd4j.gemm(a, vk, false, false).amaxNumber().doubleValue() < 1e-9, "still off the principal subspace");
        // The lora init's rows, uniform in +-1/sqrt(in), have that norm on average.
        INDArray wide = Nd4j.randn(DataType.DOUBLE, 100, 400);
        INDArray lora = new AdapterInit.Lora(false).apply(wide, new InitOptions(100, 8, false, 4, 7, new SvdSolver.Partial())).a();
        double mean = 0;
        for (int i = 0; i < 100; i++) {
            mean += lora.getRow(i).norm2Number().doubleValue() / 100;
        }
        assertEquals(1 / Math.sqrt(3), mean, 0.02);
    }

    /** New methods train: loss falls for each, and zero-product starts are no-ops at step 0. */
    @ParameterizedTest
    @ValueSource(strings = {"dora", "op-dora", "op-dora-projected", "orthogonal", "olora", "pissa_niter_4", "op-lora-kaiming"})
    void newMethodsTrain(String name) {
        AdapterConfig config = Method.parse(name).adapter(4, 0, 4, 3);
        config = config.toBuilder().r(4).loraAlpha(8.0).targetModules(TargetModules.of("up_proj", "down_proj")).build();
        try (TinyRegression model = new TinyRegression(14)) {
            float before = model.loss();
            Injector.inject(model.layers, config);
            assertEquals(before, model.loss(), 1e-4f * Math.max(1, before), name + " starts where the base is");
            List<Float> losses = model.train(60, 0.01f, m -> { });
            assertTrue(losses.get(59) < 0.8 * losses.get(0), name + ": loss " + losses.get(0) + " -> " + losses.get(59));
        }
    }

    /** m / ||W + s B A|| applied to (W + s B A) x + b, in float64. */
    private static INDArray doraOutput(LinearLayer layer, LoraAdapter dora, INDArray x, INDArray[] shift) {
        INDArray w = EngineBridge.toNd4j(layer.weight()).castTo(DataType.DOUBLE);
        INDArray combined = w.add(Nd4j.gemm(d(dora.b()), d(dora.a()), false, false).mul(dora.scaling()));
        INDArray scale = d(dora.magnitude()).div(combined.norm2(1));
        INDArray out = Nd4j.gemm(x.castTo(DataType.DOUBLE), combined.mulColumnVector(scale.reshape(-1, 1)), false, true);
        return out.addRowVector(d(layer.bias()));
    }

    private static INDArray rowNorms(LinearLayer layer, LoraAdapter dora) {
        INDArray w = EngineBridge.toNd4j(layer.weight()).castTo(DataType.DOUBLE);
        return w.add(Nd4j.gemm(d(dora.b()), d(dora.a()), false, false).mul(dora.scaling())).norm2(1);
    }

    /** Sum of squared errors with A, B, m shifted by t * direction and the row norms held at norm0. */
    private static double loss(LinearLayer layer, LoraAdapter dora, NDArray x, NDArray target, INDArray[] direction, double t,
                               INDArray norm0) {
        INDArray w = EngineBridge.toNd4j(layer.weight()).castTo(DataType.DOUBLE);
        INDArray a = d(dora.a()).add(direction[0].mul(t));
        INDArray b = d(dora.b()).add(direction[1].mul(t));
        INDArray m = d(dora.magnitude()).add(direction[2].mul(t));
        INDArray combined = w.add(Nd4j.gemm(b, a, false, false).mul(dora.scaling()));
        INDArray weight = combined.mulColumnVector(m.div(norm0).reshape(-1, 1));
        INDArray out = Nd4j.gemm(d(x), weight, false, true).addRowVector(d(layer.bias()));
        INDArray error = out.sub(d(target));
        return error.mul(error).sumNumber().doubleValue();
    }

    private static INDArray d(NDArray x) {
        return EngineBridge.toNd4j(x).castTo(DataType.DOUBLE);
    }

    private static INDArray random(SplittableRandom random, long... shape) {
        double[] g = new double[(int) java.util.Arrays.stream(shape).reduce(1, (p, q) -> p * q)];
        for (int i = 0; i < g.length; i++) {
            g[i] = random.nextGaussian();
        }
        return Nd4j.create(g, shape, DataType.DOUBLE);
    }
}
