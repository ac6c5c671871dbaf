package dev.oplora.model;

import ai.djl.ndarray.NDArray;

/**
 * Keys and values of every layer for the positions seen so far, [B, kv_heads, S, head_dim] each.
 * Grows by concatenation; owned by the caller's NDManager scope.
 */
public final class KvCache {

    private final NDArray[] keys;
    private final NDArray[] values;

    public KvCache(int layers) {
        keys = new NDArray[layers];
        values = new NDArray[layers];
    }

    /** Positions cached so far. */
    public long length() {
        return keys[0] == null ? 0 : keys[0].getShape().get(2);
    }

    /** Appends this step's k, v for {@code layer} and returns the whole history. */
    NDArray[] append(int layer, NDArray k, NDArray v) {
        keys[layer] = keys[layer] == null ? k : keys[layer].concat(k, 2);
        values[layer] = values[layer] == null ? v : values[layer].concat(v, 2);
        return new NDArray[] {keys[layer], values[layer]};
    }

    /** Moves the cached arrays to {@code manager}, so a per-step scope can be closed. */
    void detachTo(ai.djl.ndarray.NDManager manager) {
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != null) {
                keys[i].attach(manager);
                values[i].attach(manager);
            }
        }
    }
}
