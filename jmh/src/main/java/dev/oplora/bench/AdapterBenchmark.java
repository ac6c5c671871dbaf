package dev.oplora.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import dev.oplora.adapters.Engines;
import dev.oplora.adapters.FullAdapter;
import dev.oplora.adapters.LinearLayer;
import dev.oplora.adapters.LoraAdapter;
import dev.oplora.adapters.SparseAdapter;
import dev.oplora.init.AdapterInit;
import dev.oplora.init.InitOptions;
import dev.oplora.mask.MaskKind;
import dev.oplora.mask.MaskOptions;
import dev.oplora.svd.SvdSolver;
import dev.oplora.train.AdamW;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One linear layer on DJL, 2048 tokens: forward, and forward + backward + AdamW step, for the
 * dense baselines (frozen: input gradient only; trainable: both gradients and the update), LoRA,
 * op-LoRA, projected op-LoRA, sparse masks and the merged layer.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Dai.djl.offline=true", "-Xmx8g", "--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 4, time = 2)
public class AdapterBenchmark {

    @Param({"1024x1024", "896x4864"})
    public String shape;

    @Param({"2048"})
    public int tokens;

    @Param({"16"})
    public int rank;

    @Param({"64"})
    public int principalRank;

    @Param({"dense-frozen", "dense-trainable", "lora", "op-lora", "op-lora-projected", "dora", "op-dora", "sparse-10",
            "sparse-30", "merged"})
    public String kind;

    private NDManager manager;
    private LinearLayer layer;
    private NDArray input;
    private AdamW optimizer;
    private Map<String, Parameter> trainable;

    @Setup(Level.Trial)
    public void setup() {
        manager = Engines.newManager();
        manager.getEngine().setRandomSeed(5);
        long in = Long.parseLong(shape.split("x")[0]);
        long out = Long.parseLong(shape.split("x")[1]);
        NDArray w = manager.randomNormal(new Shape(out, in)).mul(0.02f);
        layer = kind.equals("dense-trainable") ? LinearLayer.trainable(w, null) : LinearLayer.frozen(w, null);
        InitOptions options = new InitOptions(rank, 2.0 * rank, false, principalRank, 1, SvdSolver.Randomized.defaults(1));
        switch (kind) {
            case "lora" -> LoraAdapter.attach(layer, new AdapterInit.Lora(false), options, 0f, false);
            case "op-lora" -> LoraAdapter.attach(layer, new AdapterInit.OpLora(), options, 0f, false);
            case "op-lora-projected" -> LoraAdapter.attach(layer, new AdapterInit.OpLora(), options, 0f, true);
            case "dora" -> LoraAdapter.attach(layer, new AdapterInit.Lora(false), options, 0f, false).withDora(layer);
            case "op-dora" -> LoraAdapter.attach(layer, new AdapterInit.OpLora(), options, 0f, false).withDora(layer);
            case "sparse-10" -> SparseAdapter.attach(layer, new MaskKind.Random(), MaskOptions.of(0.1, 1));
            case "sparse-30" -> SparseAdapter.attach(layer, new MaskKind.Random(), MaskOptions.of(0.3, 1));
            case "merged" -> {
                FullAdapter.attach(layer);
                layer.merge();
            }
            default -> { }
        }
        input = manager.randomNormal(new Shape(tokens, in));
        // Every kind pays for the input gradient, as any layer inside a network does.
        input.setRequiresGradient(true);
        trainable = new LinkedHashMap<>();
        for (var p : layer.getParameters()) {
            if (p.getValue().requiresGradient()) {
                trainable.put(p.getKey(), p.getValue());
            }
        }
        optimizer = new AdamW(AdamW.Settings.defaults(0));
    }

    @TearDown(Level.Trial)
    public void close() {
        manager.close();
    }

    /** Every intermediate (the adapter path has several) is freed by the scope, as in trainStep. */
    @Benchmark
    public float forward() {
        try (ai.djl.ndarray.NDScope scope = new ai.djl.ndarray.NDScope()) {
            scope.suppressNotUsedWarning();
            return layer.apply(input, false).getFloat(0, 0);
        }
    }

    /** Forward, backward to the trainable parameters (the input for the frozen baseline), AdamW. */
    @Benchmark
    public float trainStep() {
        try (NDManager step = manager.newSubManager(); ai.djl.ndarray.NDScope scope = new ai.djl.ndarray.NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray loss;
            try (GradientCollector collector = manager.getEngine().newGradientCollector()) {
                loss = layer.apply(input, true).square().mean();
                collector.backward(loss);
            }
            if (!trainable.isEmpty()) {
                optimizer.step(trainable, 1e-4);
                if (layer.adapter() instanceof LoraAdapter lora) {
                    lora.projectParameters();
                }
            }
            return loss.getFloat();
        }
    }
}
