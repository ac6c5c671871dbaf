package dev.oplora.adapters;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import dev.oplora.init.AdapterInit;
import dev.oplora.mask.MaskKind;
import dev.oplora.mask.MaskOptions;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** merge / unmerge / deltaWeight for every kind, after some training so the delta is not zero. */
class MergeTest {

    static void checkMergeRoundTrip(String label, Consumer<LinearLayer> attach) {
        try (TinyRegression model = new TinyRegression(11)) {
            attach.accept(model.up());
            model.train(20, 0.02f, m -> { });
            LinearLayer layer = model.up();
            float[] base = layer.weight().toFloatArray();
            NDArray delta = layer.adapter().deltaWeight(layer.weight());
            assertTrue(delta.abs().max().getFloat() > 1e-4, label + ": trained delta is non-zero");
            float[] unmergedOut = layer.apply(model.x, false).toFloatArray();
            float[] expectedWeight = layer.weight().add(delta).toFloatArray();

            layer.merge();
            assertTrue(layer.isMerged());
            assertArrayEquals(expectedWeight, layer.weight().toFloatArray(), 0f, label + ": W + delta");
            float[] mergedOut = layer.apply(model.x, false).toFloatArray();
            assertArrayEquals(unmergedOut, mergedOut, 1e-4f, label + ": merged forward = unmerged forward");
            layer.merge(); // idempotent
            layer.unmerge();
            float[] restored = layer.weight().toFloatArray();
            for (int i = 0; i < base.length; i++) {
                assertEquals(base[i], restored[i], 2 * Math.ulp(Math.abs(base[i]) + Math.abs(expectedWeight[i])), label + " entry " + i);
            }
            assertArrayEquals(unmergedOut, layer.apply(model.x, false).toFloatArray(), 1e-4f);
        }
    }

    @Test
    void loraMergeAndUnmerge() {
        checkMergeRoundTrip("lora", l -> LoraAdapter.attach(l, new AdapterInit.OpLora(), AdapterTrainingTest.options(4), 0f, false));
        checkMergeRoundTrip("pissa", l -> LoraAdapter.attach(l, new AdapterInit.Pissa(), AdapterTrainingTest.options(4), 0f, false));
    }

    @Test
    void sparseAndFullMergeAndUnmerge() {
        checkMergeRoundTrip("sparse", l -> SparseAdapter.attach(l, new MaskKind.Random(), MaskOptions.of(0.2, 3)));
        checkMergeRoundTrip("full", FullAdapter::attach);
    }

    @Test
    void detachRestoresTheOriginalBase() {
        try (TinyRegression model = new TinyRegression(12)) {
            float[] original = model.up().weight().toFloatArray();
            float before = model.loss();
            LoraAdapter adapter = LoraAdapter.attach(model.up(), new AdapterInit.Milora(), AdapterTrainingTest.options(3), 0f, false);
            assertTrue(adapter.hasResidualBase());
            assertEquals(3 * 40, model.up().trainableParameterCount());
            model.up().merge();
            assertSame(adapter, model.up().detach());
            assertNull(model.up().adapter());
            assertArrayEquals(original, model.up().weight().toFloatArray(), 0f);
            assertEquals(before, model.loss(), 0f);
            assertEquals(2, model.up().getParameters().size(), "weight and bias only");
        }
    }
}
