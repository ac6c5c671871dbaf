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
