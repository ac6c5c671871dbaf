package dev.oplora.adapters;

import dev.oplora.safetensors.Dtype;
import dev.oplora.safetensors.SafetensorsWriter;
import dev.oplora.safetensors.TensorInfo;
import dev.oplora.safetensors.WeightStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * A full checkpoint with every adapter merged: all tensors of the base checkpoint copied, each
 * adapted linear layer's {@code <module>.weight} replaced by the weight it effectively applies
 * (base + delta; for residual inits, residual + s B A, which is the trained weight). Streams one
 * tensor at a time.
 */
public final class MergedCheckpoint {

    private MergedCheckpoint() {
    }

    /** Writes {@code file}; floating tensors are stored as {@code dtype} (F32 or BF16 typically). */
    public static void write(Path file, WeightStore base, Map<String, LinearLayer> adapted, Dtype dtype) throws IOException {
        if (!dtype.isFloating()) {
            throw new IllegalArgumentException("merged checkpoints store floating weights, not " + dtype);
        }
        SafetensorsWriter writer = new SafetensorsWriter().metadata("format", "pt");
        for (String name : base.names()) {
            TensorInfo info = base.info(name);
            String module = name.endsWith(".weight") ? name.substring(0, name.length() - ".weight".length()) : null;
            LinearLayer layer = module == null ? null : adapted.get(module);
            if (layer != null) {
                if (info.rank() != 2 || info.shape()[0] != layer.outFeatures() || info.shape()[1] != layer.inFeatures()) {
                    throw new IllegalArgumentException(base.source() + ": tensor '" + name + "' has shape "
                            + java.util.Arrays.toString(info.shape()) + " but the adapted layer is "
                            + layer.outFeatures() + "x" + layer.inFeatures());
                }
                writer.add(name, dtype, info.shape(), layer.effectiveWeight().toFloatArray());
            } else if (info.dtype().isFloating()) {
                writer.addLazy(name, dtype, info.shape(), () -> base.readFloats(name));
            } else {
                writer.add(name, info.dtype(), info.shape(), out -> out.write(java.nio.ByteBuffer.wrap(base.file(name).readBytes(name))));
            }
        }
        writer.write(file);
    }
}
