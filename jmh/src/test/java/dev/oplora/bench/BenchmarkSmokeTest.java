package dev.oplora.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.oplora.geometry.UpdateSparsity;
import org.junit.jupiter.api.Test;

/**
 * Every benchmark method once, with tiny parameters, so the suite cannot rot. No timing is
 * asserted; the ratio table is checked on a hand-written JMH result.
 */
class BenchmarkSmokeTest {

    /** The training path and ND4J's projector compute the same projection of A and B. */
    @Test
    void trainingProjection() {
        TrainingProjectionBenchmark b = new TrainingProjectionBenchmark();
        b.shape = "40x30";
        b.k = 4;
        b.rank = 3;
        b.setup();
        b.djlAsTraining();
        assertNotNull(b.nd4jProjector());
        float[] djlA = dev.oplora.adapters.EngineBridge.toNd4j(b.adapter.a()).data().asFloat();
        float[] djlB = dev.oplora.adapters.EngineBridge.toNd4j(b.adapter.b()).data().asFloat();
        org.junit.jupiter.api.Assertions.assertArrayEquals(b.a.data().asFloat(), djlA, 1e-5f);
        org.junit.jupiter.api.Assertions.assertArrayEquals(b.b.data().asFloat(), djlB, 1e-5f);
        b.nd4jWithCopies();
        b.djlMatmulSameFlops();
        b.tearDown();
    }

    @Test
    void projection() {
        ProjectionBenchmark b = new ProjectionBenchmark();
        b.shape = "40x30";
        b.k = 4;
        b.setup();
        assertNotNull(b.leftInPlace());
        assertNotNull(b.rightInPlace());
        assertNotNull(b.twoSidedInPlace());
        assertNotNull(b.leftAllocating());
        assertNotNull(b.sgemmSameFlops());
    }

    @Test
    void svd() {
        RandomizedSvdBenchmark b = new RandomizedSvdBenchmark();
        b.shape = "60x40";
        b.k = 5;
        b.type = "FLOAT";
        b.setup();
        assertEquals(40, b.fullGesdd().size());
        assertEquals(5, b.partialTop().size());
        assertEquals(5, b.partialBottom().size());
        assertEquals(5, b.randomizedQ1().size());
        assertEquals(5, b.randomizedQ2().size());
        b.checkAccuracy(); // throws if ||W - W_k||_2 > 1.1 sigma_6
    }

    @Test
    void modelInit() {
        ModelInitBenchmark b = new ModelInitBenchmark();
        b.layers = 1;
        b.hidden = 32;
        b.intermediate = 48;
        b.kvDim = 16;
        b.rank = 2;
        b.setup();
        assertTrue(b.opLoraRandomized() > 0);
        assertTrue(b.miloraPartial() > 0);
    }

    @Test
    void adapters() {
        for (String kind : new String[] {"dense-frozen", "dense-trainable", "lora", "op-lora", "op-lora-projected", "dora", "op-dora", "sparse-10", "sparse-30",
                "merged"}) {
            AdapterBenchmark b = new AdapterBenchmark();
            b.shape = "32x24";
            b.tokens = 16;
            b.rank = 2;
            b.principalRank = 4;
            b.kind = kind;
            b.setup();
            assertTrue(Float.isFinite(b.forward()), kind);
            assertTrue(Float.isFinite(b.trainStep()), kind);
            b.close();
        }
    }

    @Test
    void generation() {
        GenerationBenchmark b = new GenerationBenchmark();
        b.model = "16x1";
        b.batch = 2;
        b.newTokens = 3;
        b.setup();
        assertEquals(3, b.kvCache());
        assertEquals(3, b.recompute());
        b.close();
    }

    @Test
    void bf16() {
        Bf16Benchmark b = new Bf16Benchmark();
        b.shape = "8x8";
        b.setup();
        assertEquals(64, b.copy().length);
        assertEquals(64, b.roundToBf16().length);
        assertEquals(64, b.roundToBf16Scalar().length);
        assertEquals(64, b.sparsityScan().total());
        UpdateSparsity.Scan scan = b.diagnoseScan();
        assertTrue(scan.update().count() > 0);
        assertEquals(scan.update().bits().toLongArray()[0], b.diagnoseScanScalar()[0]);
    }

    @Test
    void ratioTableComparesBenchmarksOfTheSameRun() throws Exception {
        String json = """
                [{"benchmark": "dev.oplora.bench.ProjectionBenchmark.leftInPlace", "params": {"k": "64", "shape": "4096x4096"}, "primaryMetric": {"score": 10.0}},
                 {"benchmark": "dev.oplora.bench.ProjectionBenchmark.sgemmSameFlops", "params": {"k": "64", "shape": "4096x4096"}, "primaryMetric": {"score": 8.0}},
                 {"benchmark": "dev.oplora.bench.ProjectionBenchmark.twoSidedInPlace", "params": {"k": "64", "shape": "4096x4096"}, "primaryMetric": {"score": 25.0}},
                 {"benchmark": "dev.oplora.bench.ProjectionBenchmark.leftInPlace", "params": {"k": "16", "shape": "896x896"}, "primaryMetric": {"score": 4.0}},
                 {"benchmark": "dev.oplora.bench.ProjectionBenchmark.sgemmSameFlops", "params": {"k": "16", "shape": "896x896"}, "primaryMetric": {"score": 1.0}},
                 {"benchmark": "dev.oplora.bench.AdapterBenchmark.trainStep", "params": {"kind": "lora", "rank": "16", "shape": "1024x1024"}, "primaryMetric": {"score": 11.0}},
                 {"benchmark": "dev.oplora.bench.AdapterBenchmark.trainStep", "params": {"kind": "dense-frozen", "rank": "16", "shape": "1024x1024"}, "primaryMetric": {"score": 10.0}}]""";
        String table = RatioTable.render(new ObjectMapper().readTree(json));
        assertTrue(table.contains("| projection left in-place: share of sgemm throughput | k=64 shape=4096x4096 | 0.800 | >= 0.75 | met |"), table);
        assertTrue(table.contains("| projection two-sided / one-sided time | k=64 shape=4096x4096 | 2.500 | <= 2.2 | MISSED |"), table);
        // Targets are stated for 4096x4096, k = 64; other shapes are reported without a verdict.
        assertTrue(table.contains("| projection left in-place: share of sgemm throughput | k=16 shape=896x896 | 0.250 | - | reported |"), table);
        assertTrue(table.contains("| LoRA step / frozen dense step | rank=16 shape=1024x1024 | 1.100 | <= 1.15 | met |"), table);
    }
}
