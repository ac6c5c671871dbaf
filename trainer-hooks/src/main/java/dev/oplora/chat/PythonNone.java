package dev.oplora.chat;

import com.hubspot.jinjava.util.HasObjectTruthValue;

/**
 * Python's None as a template value. Jinjava has one null for both "undefined" and "None",
 * where Jinja2 tells them apart ({@code x is defined} holds for a None, {@code x is none} does
 * not hold for an undefined name, and None prints as "None"); so JSON nulls in the context, the
 * {@code tools} and {@code documents} transformers passes as None, and the template's own
 * {@code none} literals are this value, and Java's null is left to mean undefined.
 */
final class PythonNone implements HasObjectTruthValue {

    /** The one None. Not an enum: the expression language would coerce strings compared with it to the enum. */
    static final PythonNone NONE = new PythonNone();

    private PythonNone() {
    }

    /** The global the template's {@code none} and {@code None} literals are rewritten to (see {@link JinjaSource}). */
    static final String NAME = "__oplora_none";

    @Override
    public boolean getObjectTruthValue() {
        return false;
    }

    @Override
    public String toString() {
        return "None";
    }

    /** {@code value} with every JSON null inside it (maps and lists, recursively) replaced by {@link #NONE}. */
    static Object fromJson(Object value) {
        if (value == null) {
            return NONE;
        }
        if (value instanceof java.util.Map<?, ?> map) {
            java.util.Map<Object, Object> out = new java.util.LinkedHashMap<>();
            map.forEach((k, v) -> out.put(k, fromJson(v)));
            return out;
        }
        if (value instanceof java.util.List<?> list) {
            java.util.List<Object> out = new java.util.ArrayList<>(list.size());
            list.forEach(v -> out.add(fromJson(v)));
            return out;
        }
        return value;
    }
}
