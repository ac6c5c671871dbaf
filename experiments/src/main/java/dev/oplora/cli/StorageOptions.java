package dev.oplora.cli;

import dev.oplora.model.ModelFolder;
import dev.oplora.safetensors.Dtype;
import java.io.IOException;
import java.nio.file.Path;

/** The storage dtype a command writes: the --dtype flag, else the base folder's own. */
final class StorageOptions {

    private StorageOptions() {
    }

    static Dtype dtype(String flag, Path base) throws IOException {
        if (flag == null) {
            return ModelFolder.storedDtype(base);
        }
        Dtype dtype = Dtype.ofFloatName(flag);
        if (dtype == null) {
            throw new IllegalArgumentException("--dtype must be f32, bf16, f16 or f64 (or float32, bfloat16, ...), got '"
                    + flag + "'");
        }
        return dtype;
    }
}
