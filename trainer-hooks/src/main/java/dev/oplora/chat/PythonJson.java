package dev.oplora.chat;

import java.math.BigDecimal;
import java.util.Map;

/**
 * Python's {@code json.dumps(value, ensure_ascii=False, indent=..., separators=..., sort_keys=...)},
 * the {@code tojson} that transformers installs for chat templates (tool schemas and tool-call
 * arguments are rendered with it, so its spacing is part of the prompt).
 */
final class PythonJson {

    private final String indent;
    private final String itemSeparator;
    private final String keySeparator;
    private final boolean sortKeys;
    private final boolean ensureAscii;

    /** {@code indent}: null for one line, else the text each level is indented by. */
    PythonJson(String indent, String itemSeparator, String keySeparator, boolean sortKeys, boolean ensureAscii) {
        this.indent = indent;
        this.ensureAscii = ensureAscii;
        // json.dumps' defaults: ", " without indent, "," with it; ": " always.
        this.itemSeparator = itemSeparator != null ? itemSeparator : indent == null ? ", " : ",";
        this.keySeparator = keySeparator != null ? keySeparator : ": ";
        this.sortKeys = sortKeys;
    }

    String dumps(Object value) {
        StringBuilder out = new StringBuilder();
        write(value, out, 0);
        return out.toString();
    }

    private void write(Object v, StringBuilder out, int depth) {
        if (v == null || v == PythonNone.NONE) {
            out.append("null");
        } else if (v instanceof Boolean b) {
            out.append(b ? "true" : "false");
        } else if (v instanceof Double || v instanceof Float) {
            out.append(floatRepr(((Number) v).doubleValue()));
        } else if (v instanceof Number n) {
            out.append(n instanceof BigDecimal d ? d.toPlainString() : n.toString());
        } else if (v instanceof Map<?, ?> map) {
            writeMap(map, out, depth);
        } else if (v instanceof Iterable<?> items) {
            writeList(items, out, depth);
        } else if (v.getClass().isArray() && v instanceof Object[] array) {
            writeList(java.util.Arrays.asList(array), out, depth);
        } else {
            quote(v.toString(), out, ensureAscii);
        }
    }

    private void writeMap(Map<?, ?> map, StringBuilder out, int depth) {
        if (map.isEmpty()) {
            out.append("{}");
            return;
        }
        var entries = new java.util.ArrayList<Map.Entry<?, ?>>(map.entrySet());
        if (sortKeys) {
            entries.sort(java.util.Comparator.comparing(e -> String.valueOf(e.getKey())));
        }
        out.append('{');
        for (int i = 0; i < entries.size(); i++) {
            separate(out, i, depth + 1);
            quote(String.valueOf(entries.get(i).getKey()), out, ensureAscii);
            out.append(keySeparator);
            write(entries.get(i).getValue(), out, depth + 1);
        }
        close(out, depth, '}');
    }

    private void writeList(Iterable<?> items, StringBuilder out, int depth) {
        var list = new java.util.ArrayList<Object>();
        items.forEach(list::add);
        if (list.isEmpty()) {
            out.append("[]");
            return;
        }
        out.append('[');
        for (int i = 0; i < list.size(); i++) {
            separate(out, i, depth + 1);
            write(list.get(i), out, depth + 1);
        }
        close(out, depth, ']');
    }

    private void separate(StringBuilder out, int index, int depth) {
        if (index > 0) {
            out.append(itemSeparator);
        }
        if (indent != null) {
            out.append('\n').append(indent.repeat(depth));
        }
    }

    private void close(StringBuilder out, int depth, char bracket) {
        if (indent != null) {
            out.append('\n').append(indent.repeat(depth));
        }
        out.append(bracket);
    }

    /** A JSON string as json.dumps writes it: '"', '\\' and controls escaped, and with ensure_ascii all non-ASCII too. */
    static void quote(String s, StringBuilder out, boolean ensureAscii) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20 || (ensureAscii && c > 0x7e)) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    /** Python's float repr: the shortest digits that read back as the same double, exponent form below 1e-4 and from 1e16. */
    static String floatRepr(double d) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "Infinity" : "-Infinity";
        }
        if (d == 0) {
            return (1 / d < 0) ? "-0.0" : "0.0";
        }
        BigDecimal exact = shortest(d);
        int exponent = exact.precision() - exact.scale() - 1;
        if (exponent < -4 || exponent >= 16) {
            String digits = exact.unscaledValue().abs().toString();
            String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
            return (d < 0 ? "-" : "") + mantissa + "e" + (exponent < 0 ? "-" : "+") + String.format("%02d", Math.abs(exponent));
        }
        String plain = exact.toPlainString();
        return plain.contains(".") ? plain : plain + ".0";
    }

    /** The fewest significant digits that round-trip (Java 17's Double.toString is not always shortest). */
    private static BigDecimal shortest(double d) {
        for (int digits = 1; digits < 17; digits++) {
            BigDecimal candidate = new BigDecimal(d).round(new java.math.MathContext(digits, java.math.RoundingMode.HALF_EVEN));
            if (candidate.doubleValue() == d) {
                return candidate.stripTrailingZeros();
            }
        }
        return new BigDecimal(Double.toString(d)).stripTrailingZeros();
    }
}
