package dev.oplora.chat;

import java.util.Map;

/**
 * Python's {@code str.format} for replacement fields without a format spec: {@code {}},
 * {@code {0}}, {@code {name}} (from a trailing keyword map), {@code {{} and {@code }}}. A format
 * spec or conversion ({@code {:>8}}, {@code {!r}}) is an error rather than a guess.
 */
final class PythonFormat {

    private PythonFormat() {
    }

    static String format(String pattern, Object[] args) {
        Map<?, ?> keywords = args.length > 0 && args[args.length - 1] instanceof Map<?, ?> m ? m : Map.of();
        StringBuilder out = new StringBuilder();
        int auto = 0;
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if ((c == '{' || c == '}') && i + 1 < pattern.length() && pattern.charAt(i + 1) == c) {
                out.append(c);
                i++;
            } else if (c == '{') {
                int end = pattern.indexOf('}', i);
                if (end < 0) {
                    throw new IllegalArgumentException("Single '{' encountered in format string");
                }
                String field = pattern.substring(i + 1, end);
                if (field.contains(":") || field.contains("!")) {
                    throw new IllegalArgumentException("format: the field {" + field + "} has a spec, which is not implemented");
                }
                Object value = field.isEmpty() ? positional(args, auto++) : Character.isDigit(field.charAt(0))
                        ? positional(args, Integer.parseInt(field)) : keywords.get(field);
                out.append(value instanceof String s ? s : PythonRepr.str(value));
                i = end;
            } else if (c == '}') {
                throw new IllegalArgumentException("Single '}' encountered in format string");
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static Object positional(Object[] args, int index) {
        if (index >= args.length) {
            throw new IndexOutOfBoundsException("Replacement index " + index + " out of range for positional args tuple");
        }
        return args[index];
    }
}
