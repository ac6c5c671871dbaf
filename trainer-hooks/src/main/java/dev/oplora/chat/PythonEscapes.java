package dev.oplora.chat;

/**
 * The escapes of a Jinja2 string literal, decoded as Jinja2 decodes them (Python's
 * unicode-escape): backslash followed by one of {@code \ ' " a b f n r t v}, by up to three
 * octal digits, by x and two hex digits, by u and four or U and eight (a code point), or by a
 * newline (dropped); any other backslash is kept with the character after it.
 */
final class PythonEscapes {

    private PythonEscapes() {
    }

    static String decode(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder out = new StringBuilder(s.length());
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c != '\\' || i + 1 == s.length()) {
                out.append(c);
                i++;
                continue;
            }
            char e = s.charAt(i + 1);
            i += 2;
            switch (e) {
                case '\n' -> { }
                case '\\', '\'', '"' -> out.append(e);
                case 'a' -> out.append('\u0007');
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'v' -> out.append('\u000b');
                case 'x' -> i = hex(s, i, 2, out);
                case 'u' -> i = hex(s, i, 4, out);
                case 'U' -> i = hex(s, i, 8, out);
                default -> {
                    if (e >= '0' && e <= '7') {
                        int end = i - 1;
                        while (end < s.length() && end < i + 2 && s.charAt(end) >= '0' && s.charAt(end) <= '7') {
                            end++;
                        }
                        out.appendCodePoint(Integer.parseInt(s.substring(i - 1, end), 8));
                        i = end;
                    } else {
                        out.append('\\').append(e);
                    }
                }
            }
        }
        return out.toString();
    }

    /** Appends the code point of {@code digits} hex digits at {@code from}; returns the index after them. */
    private static int hex(String s, int from, int digits, StringBuilder out) {
        if (from + digits > s.length()) {
            throw new IllegalArgumentException("truncated \\x/\\u escape in a string literal: " + s);
        }
        try {
            out.appendCodePoint(Integer.parseInt(s.substring(from, from + digits), 16));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad \\x/\\u escape in a string literal: " + s.substring(from - 2, from + digits));
        }
        return from + digits;
    }
}
