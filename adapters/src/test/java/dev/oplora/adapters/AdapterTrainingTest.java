package dev.oplora.adapters;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import dev.oplora.init.AdapterInit;
import dev.oplora.init.InitOptions;
import dev.oplora.mask.Mask;
import dev.oplora.mask.MaskKind;
import dev.oplora.mask.MaskOptions;
import dev.oplora.svd.SvdSolver;
import java.util.List;
import dev.oplora.svd.Subspace;
import dev.oplora.svd.Svds;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every adapter kind trains on a small regression with DJL autograd and AdamW: the loss falls,
 * frozen parameters stay bit-identical, sparse updates stay on the mask, projected adapters stay
 * off the principal subspaces.
 */
class AdapterTrainingTest {

    static InitOptions options(int rank) {
        return new InitOptions(rank, 2 * rank, false, 4, 7, new SvdSolver.Partial());
    }

    @ParameterizedTest
    @ValueSource(strings = {"lora", "lora-gaussian", "pissa", "milora", "op-lora", "op-lora-minor"})
    void loraFamilyTrains(String init) {
        try (TinyRegression model = new TinyRegression(1)) {
            float[] biasBefore = model.up().bias().toFloatArray();
            for (LinearLayer layer : model.layers.values()) {
                LoraAdapter.attach(layer, AdapterInit.parse(init), options(4), 0f, false);
            }
            float[] residualBefore = model.up().weight().toFloatArray();
            float[] originalBefore = model.up().originalWeight().toFloatArray();
            List<Float> losses = model.train(60, 0.01f, m -> { });
            assertTrue(losses.get(59) < 0.7 * losses.get(0), init + " loss " + losses.get(0) + " -> " + losses.get(59));
            assertArrayEquals(residualBefore, model.up().weight().toFloatArray(), 0f, "frozen base bit-identical");
            assertArrayEquals(originalBefore, model.up().originalWeight().toFloatArray(), 0f);
            assertArrayEquals(biasBefore, model.up().bias().toFloatArray(), 0f, "frozen bias bit-identical");
            assertEquals(4 * (16 + 24), model.up().trainableParameterCount());
        }
    }

    @Test
    void stepZeroIsTheReferencePolicyForZeroBInits() {
        for (String init : new String[] {"lora", "op-lora", "op-lora-minor"}) {
            try (TinyRegression model = new TinyRegression(2)) {
                float before = model.loss();
                LoraAdapter.attach(model.up(), AdapterInit.parse(init), options(4), 0f, false);
                assertEquals(before, model.loss(), 0f, init + " is a no-op at step 0");
            }
        }
        try (TinyRegression model = new TinyRegression(2)) {
            float before = model.loss();
            LoraAdapter.attach(model.up(), new AdapterInit.Pissa(), options(4), 0f, false);
            assertEquals(before, model.loss(), 1e-5f * Math.max(1, before), "pissa: residual + adapter = W");
        }
    }

    @Test
    void projectedOpLoraStaysOffThePrincipalSubspaces() {
        try (TinyRegression model = new TinyRegression(3)) {
            LoraAdapter adapter = LoraAdapter.attach(model.up(), new AdapterInit.OpLora(), options(4), 0f, true);
            List<Float> losses = model.train(50, 0.01f, m -> adapter.projectParameters());
            assertTrue(losses.get(49) < losses.get(0), "loss falls");
            NDArray ba = adapter.b().matMul(adapter.a());
            double norm = ba.norm().getFloat();
            assertTrue(norm > 1e-3, "adapter moved: ||BA|| = " + norm);
            double left = adapter.projection().uk().transpose().matMul(ba).norm().getFloat() / norm;
            double right = ba.matMul(adapter.projection().vk()).norm().getFloat() / norm;
            assertTrue(left < 1e-5, "||U_k^T B A|| / ||B A|| = " + left);
            assertTrue(right < 1e-5, "||B A V_k|| / ||B A|| = " + right);
        }
        // Without the projection B picks up principal components: the measure above can fail.
        try (TinyRegression model = new TinyRegression(3)) {
            LoraAdapter free = LoraAdapter.attach(model.up(), new AdapterInit.OpLora(), options(4), 0f, false);
            model.train(50, 0.01f, m -> { });
            INDArray ba = EngineBridge.toNd4j(free.b().matMul(free.a()));
            INDArray uk = Subspace.left(Svds.top(EngineBridge.toNd4j(model.up().weight()), 4), 4).basis();
            double leak = Nd4j.gemm(uk, ba, true, false).norm2Number().doubleValue() / ba.norm2Number().doubleValue();
            assertTrue(leak > 1e-2, "unprojected leakage " + leak);
        }
    }

    @Test
    void projectingGradientsKeepsTheSubspaceToo() {
        try (TinyRegression model = new TinyRegression(4)) {
            LoraAdapter adapter = LoraAdapter.attach(model.up(), new AdapterInit.OpLora(), options(4), 0f, true);
            // Plain SGD preserves a projected gradient's subspace exactly (Adam's per-entry scaling would not).
            ai.djl.training.optimizer.Optimizer sgd = ai.djl.training.optimizer.Optimizer.sgd()
                    .setLearningRateTracker(ai.djl.training.tracker.Tracker.fixed(0.05f)).build();
            for (int s = 0; s < 30; s++) {
                try (ai.djl.training.GradientCollector c = model.manager.getEngine().newGradientCollector()) {
                    c.backward(model.forward(model.x).sub(model.y).square().mean());
                }
                adapter.projectGradients();
                for (var p : adapter.parameters()) {
                    NDArray g = p.getArray().getGradient();
                    sgd.update(p.getId(), p.getArray(), g);
                    g.subi(g);
                }
            }
            NDArray ba = adapter.b().matMul(adapter.a());
            double norm = ba.norm().getFloat();
            assertTrue(adapter.projection().uk().transpose().matMul(ba).norm().getFloat() / norm < 1e-5);
            assertTrue(ba.matMul(adapter.projection().vk()).norm().getFloat() / norm < 1e-5);
        }
    }

    @Test
    void sparseUpdatesTouchExactlyTheMask() {
        try (TinyRegression model = new TinyRegression(5)) {
            float[] before = model.up().weight().toFloatArray();
            SparseAdapter adapter = SparseAdapter.attach(model.up(), new MaskKind.MagnitudeLow(), MaskOptions.of(0.3, 0));
            SparseAdapter.attach(model.down(), new MaskKind.Random(), MaskOptions.of(0.3, 1));
            List<Float> losses = model.train(60, 0.01f, m -> { });
            assertTrue(losses.get(59) < 0.8 * losses.get(0), "loss " + losses.get(0) + " -> " + losses.get(59));
            float[] effective = model.up().effectiveWeight().toFloatArray();
            float[] rawDelta = adapter.parameters().get(0).getArray().toFloatArray();
            Mask mask = adapter.mask();
            int changedInside = 0;
            for (int i = 0; i < before.length; i++) {
                if (mask.get(i)) {
                    changedInside += effective[i] != before[i] ? 1 : 0;
                } else {
                    assertEquals(before[i], effective[i], 0f, "entry " + i + " outside the mask moved");
                    assertEquals(0f, rawDelta[i], 0f, "delta outside the mask stays exactly zero");
                }
            }
            assertTrue(changedInside > 0.9 * mask.count(), "most masked entries moved: " + changedInside);
            assertArrayEquals(before, model.up().weight().toFloatArray(), 0f, "frozen base");
            assertEquals(mask.count(), model.up().trainableParameterCount());
        }
    }

    @Test
    void fullFineTuningTrainsEveryEntry() {
        try (TinyRegression model = new TinyRegression(6)) {
            float[] before = model.up().weight().toFloatArray();
            FullAdapter.attach(model.up());
            FullAdapter.attach(model.down());
            List<Float> losses = model.train(60, 0.01f, m -> { });
            assertTrue(losses.get(59) < 0.5 * losses.get(0), "loss " + losses.get(0) + " -> " + losses.get(59));
            assertArrayEquals(before, model.up().weight().toFloatArray(), 0f, "frozen base");
            assertEquals(24 * 16, model.up().trainableParameterCount());
        }
    }
}
