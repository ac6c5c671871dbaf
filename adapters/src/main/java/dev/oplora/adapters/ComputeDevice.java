package dev.oplora.adapters;

import ai.djl.Device;
import ai.djl.engine.Engine;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.oplora.config.FieldException;
import java.util.Locale;

/**
 * Where DJL keeps the model, the adapters and the training state: {@code cpu}, {@code cuda}
 * (the first GPU) or {@code cuda:N}, as in PyTorch. Config field and flag {@code device}.
 * Linear algebra (inits, masks, diagnostics) runs in ND4J on the host whatever the device.
 *
 * @param gpu the CUDA device index, or -1 for the CPU
 */
public record ComputeDevice(int gpu) {

    public static final ComputeDevice CPU = new ComputeDevice(-1);

    /** Parses {@code cpu}, {@code cuda} or {@code cuda:N}; errors name the field {@code device}. */
    @JsonCreator
    public static ComputeDevice parse(String spec) {
        String key = spec == null ? "" : spec.trim().toLowerCase(Locale.ROOT);
        return switch (key) {
            case "cpu" -> CPU;
            case "cuda" -> new ComputeDevice(0);
            default -> {
                if (!key.matches("cuda:\\d{1,4}")) {
                    throw new FieldException("device", "must be cpu, cuda or cuda:N, got \"" + spec + "\"");
                }
                yield new ComputeDevice(Integer.parseInt(key.substring("cuda:".length())));
            }
        };
    }

    public boolean isCpu() {
        return gpu < 0;
    }

    /** The DJL device on {@code engine}; a clear error when the engine has no such CUDA device. */
    public Device on(Engine engine) {
        if (isCpu()) {
            return Device.cpu();
        }
        int available = engine.getGpuCount();
        if (available == 0) {
            throw new IllegalStateException("device '" + this + "' asked for, but the " + engine.getEngineName()
                    + " engine on the class path has no CUDA support (its native library is the CPU build, "
                    + "pytorch-native-cpu); build with the Maven profile cuda-djl and a CUDA build of libtorch "
                    + engine.getVersion() + " (see README, 'GPU'), or use --device cpu");
        }
        if (gpu >= available) {
            throw new IllegalStateException("device '" + this + "' asked for, but only " + available
                    + " CUDA device(s) are visible (cuda:0 .. cuda:" + (available - 1) + ")");
        }
        return Device.gpu(gpu);
    }

    @JsonValue
    @Override
    public String toString() {
        return isCpu() ? "cpu" : "cuda:" + gpu;
    }
}
