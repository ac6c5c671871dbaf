package dev.oplora.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;

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
        keys[layer] = extend(keys[layer], k);
        values[layer] = extend(values[layer], v);
        return new NDArray[] {keys[layer], values[layer]};
    }

    /** The longer cache; the shorter one is freed at once (generation never differentiates). */
    private static NDArray extend(NDArray cached, NDArray next) {
        if (cached == null) {
            return next;
        }
        NDArray longer = cached.concat(next, 2);
        cached.close();
        return longer;
    }

    /**
     * Moves the cached arrays to {@code manager} and out of the current {@link NDScope}, so the
     * per-step manager and scope can be closed without them.
     */
    void detachTo(ai.djl.ndarray.NDManager manager) {
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != null) {
                keys[i].attach(manager);
                values[i].attach(manager);
                NDScope.unregister(keys[i], values[i]);
            }
        }
    }
}
