package dev.oplora.safetensors;

/** The safetensors element types oplora reads and writes, with their size in bytes. */
public enum Dtype {
    F64(8), F32(4), F16(2), BF16(2), I64(8), I32(4), U8(1), BOOL(1);

    private final int size;

    Dtype(int size) {
        this.size = size;
    }

    /** Bytes per element. */
    public int size() {
        return size;
    }

    /** The name torch and config.json's {@code torch_dtype} use ("bfloat16", ...), or null for non-float types. */
    public String torchName() {
        return switch (this) {
            case F64 -> "float64";
            case F32 -> "float32";
            case F16 -> "float16";
            case BF16 -> "bfloat16";
            default -> null;
        };
    }

    /** A floating type by torch name ("bfloat16") or short name ("bf16", "f32"); null when neither. */
    public static Dtype ofFloatName(String name) {
        String key = name == null ? "" : name.trim().toLowerCase(java.util.Locale.ROOT);
        for (Dtype d : new Dtype[] {F32, BF16, F16, F64}) {
            if (key.equals(d.torchName()) || key.equals(d.name().toLowerCase(java.util.Locale.ROOT))) {
                return d;
            }
        }
        return null;
    }

    /** Whether values convert to float32 on read. */
    public boolean isFloating() {
        return this == F64 || this == F32 || this == F16 || this == BF16;
    }

    /** The enum constant for a header's "dtype" string, or null when unknown. */
    static Dtype parse(String name) {
        for (Dtype d : values()) {
            if (d.name().equals(name)) {
                return d;
            }
        }
        return null;
    }
}
