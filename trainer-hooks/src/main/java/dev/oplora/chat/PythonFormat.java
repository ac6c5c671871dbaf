package dev.oplora.chat;

import java.util.Map;

/**
 * Python's {@code str.format} for replacement fields without a format spec: {@code {}},
 * {@code {0}}, {@code {name}}, {@code {{} and {@code }}}. A format
 * spec or conversion ({@code {:>8}}, {@code {!r}}) is an error rather than a guess.
 * Keyword arguments arrive as the engine's named parameters.
 */
final class PythonFormat {

    private PythonFormat() {
    }

    static String format(String pattern, Object[] given) {
        // The engine passes keyword arguments (name='x') as named-parameter objects among the positional ones.
        java.util.List<Object> positional = new java.util.ArrayList<>();
        Map<String, Object> keywords = new java.util.HashMap<>();
        for (Object a : given) {
            if (a instanceof com.hubspot.jinjava.el.ext.NamedParameter named) {
                keywords.put(named.getName(), named.getValue());
            } else {
                positional.add(a);
            }
        }
        Object[] args = positional.toArray();
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
