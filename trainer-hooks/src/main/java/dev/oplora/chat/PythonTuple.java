package dev.oplora.chat;

import java.util.AbstractList;
import java.util.List;

/** A Python tuple: a list to the engine, printed with parentheses (Python's repr). */
final class PythonTuple extends AbstractList<Object> {

    private final List<Object> items;

    PythonTuple(Object... items) {
        this.items = List.of(items);
    }

    @Override
    public Object get(int index) {
        return items.get(index);
    }

    @Override
    public int size() {
        return items.size();
    }
}
