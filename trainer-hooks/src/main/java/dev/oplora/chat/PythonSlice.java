package dev.oplora.chat;

import java.util.ArrayList;
import java.util.List;

/** Python's {@code seq[start:stop:step]}: None bounds, negative indices, clamping, negative steps. */
final class PythonSlice {

    private PythonSlice() {
    }

    static <T> List<T> apply(List<T> items, Number start, Number stop, Number step) {
        int n = items.size();
        int by = step == null ? 1 : step.intValue();
        if (by == 0) {
            throw new IllegalArgumentException("slice step cannot be zero");
        }
        int from;
        int to;
        if (by > 0) {
            from = start == null ? 0 : clamp(start.intValue(), n, 0, n);
            to = stop == null ? n : clamp(stop.intValue(), n, 0, n);
        } else {
            from = start == null ? n - 1 : clamp(start.intValue(), n, -1, n - 1);
            to = stop == null ? -1 : clamp(stop.intValue(), n, -1, n - 1);
        }
        List<T> out = new ArrayList<>();
        for (int i = from; by > 0 ? i < to : i > to; i += by) {
            out.add(items.get(i));
        }
        return out;
    }

    private static int clamp(int index, int n, int low, int high) {
        int i = index < 0 ? index + n : index;
        return Math.max(low, Math.min(high, i));
    }
}
