package dev.oplora.chat;

import java.util.Map;

/** Python's {@code repr()} of template values, which Jinja2 prints for lists and dicts. */
final class PythonRepr {

    private PythonRepr() {
    }

    /** Whether a printed value shows as Python's repr ({'a': 1}, True, None, 1e-05) rather than Java's text. */
    static boolean printsAsRepr(Object v) {
        return v instanceof Boolean || v instanceof Map<?, ?> || v instanceof Iterable<?> || v instanceof Double
                || v instanceof Float || v instanceof PythonNone;
    }

    /** Python's str(): a string as it is, anything else as its repr. */
    static String str(Object v) {
        return v instanceof String s ? s : repr(v);
    }

    static String repr(Object v) {
        StringBuilder out = new StringBuilder();
        write(v, out);
        return out.toString();
    }

    private static void write(Object v, StringBuilder out) {
        if (v == null || v == PythonNone.NONE) {
            out.append("None");
        } else if (v instanceof Boolean b) {
            out.append(b ? "True" : "False");
        } else if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            out.append(Double.isNaN(d) ? "nan" : Double.isInfinite(d) ? (d > 0 ? "inf" : "-inf") : PythonJson.floatRepr(d));
        } else if (v instanceof Number n) {
            out.append(n);
        } else if (v instanceof Map<?, ?> map) {
            out.append('{');
            String sep = "";
            for (Map.Entry<?, ?> e : map.entrySet()) {
                out.append(sep);
                write(e.getKey(), out);
                out.append(": ");
                write(e.getValue(), out);
                sep = ", ";
            }
            out.append('}');
        } else if (v instanceof PythonTuple tuple) {
            items(tuple, out, "(", tuple.size() == 1 ? ",)" : ")");
        } else if (v instanceof Iterable<?> items) {
            items(items, out, "[", "]");
        } else {
            quote(v.toString(), out);
        }
    }

    private static void items(Iterable<?> items, StringBuilder out, String open, String close) {
        out.append(open);
        String sep = "";
        for (Object item : items) {
            out.append(sep);
            write(item, out);
            sep = ", ";
        }
        out.append(close);
    }

    /** str.__repr__: single quotes unless the text holds one and no double quote. */
    private static void quote(String s, StringBuilder out) {
        char q = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
        out.append(q);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c == q) {
                        out.append('\\').append(c);
                    } else if (c < 0x20 || c == 0x7f) {
                        out.append(String.format("\\x%02x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append(q);
    }
}
