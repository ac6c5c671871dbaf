package dev.oplora.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Python's {@code str} methods with Python's semantics, for {@link PythonMethods}: separators
 * taken literally and empty pieces kept ({@code 'a</think>'.split('</think>')} is two pieces),
 * optional start and end positions, tuples of prefixes. A method Python's str does not have is
 * an error, never one of Java's String methods of the same name.
 */
final class PythonStr {

    private PythonStr() {
    }

    static Object call(String s, String name, Object[] args) {
        return switch (name) {
            case "strip" -> strip(s, text(args, 0, name), true, true);
            case "lstrip" -> strip(s, text(args, 0, name), true, false);
            case "rstrip" -> strip(s, text(args, 0, name), false, true);
            case "startswith" -> affix(s, args, name, true);
            case "endswith" -> affix(s, args, name, false);
            case "split" -> split(s, text(args, 0, name), integer(args, 1, -1));
            case "rsplit" -> rsplit(s, text(args, 0, name), integer(args, 1, -1));
            case "splitlines" -> splitlines(s, args.length > 0 && com.hubspot.jinjava.util.ObjectTruthValue.evaluate(args[0]));
            case "partition" -> partition(s, required(args, 0, name), false);
            case "rpartition" -> partition(s, required(args, 0, name), true);
            case "upper" -> s.toUpperCase(Locale.ROOT);
            case "lower" -> s.toLowerCase(Locale.ROOT);
            case "title" -> title(s);
            case "capitalize" -> s.isEmpty() ? s : s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1).toLowerCase(Locale.ROOT);
            case "swapcase" -> swapcase(s);
            case "replace" -> replace(s, required(args, 0, name), required(args, 1, name), integer(args, 2, -1));
            case "removeprefix" -> s.startsWith(required(args, 0, name)) ? s.substring(required(args, 0, name).length()) : s;
            case "removesuffix" -> {
                String suffix = required(args, 0, name);
                yield !suffix.isEmpty() && s.endsWith(suffix) ? s.substring(0, s.length() - suffix.length()) : s;
            }
            case "find", "index" -> find(s, args, name, false);
            case "rfind", "rindex" -> find(s, args, name, true);
            case "count" -> count(s, args, name);
            case "join" -> join(s, args.length > 0 ? args[0] : null);
            case "zfill" -> zfill(s, integer(args, 0, 0));
            case "center", "ljust", "rjust" -> pad(s, name, integer(args, 0, 0), args.length > 1 ? required(args, 1, name) : " ");
            case "format" -> PythonFormat.format(s, args);
            case "isdigit", "isnumeric", "isdecimal" -> !s.isEmpty() && s.codePoints().allMatch(Character::isDigit);
            case "isalpha" -> !s.isEmpty() && s.codePoints().allMatch(Character::isLetter);
            case "isalnum" -> !s.isEmpty() && s.codePoints().allMatch(Character::isLetterOrDigit);
            case "isspace" -> !s.isEmpty() && s.codePoints().allMatch(PythonStr::isSpace);
            case "islower" -> cased(s) && s.equals(s.toLowerCase(Locale.ROOT));
            case "isupper" -> cased(s) && s.equals(s.toUpperCase(Locale.ROOT));
            default -> throw new IllegalArgumentException("'str' object has no attribute '" + name + "'");
        };
    }

    /** Argument {@code i} as text; null when absent or None (Python's default). */
    private static String text(Object[] args, int i, String method) {
        if (args.length <= i || args[i] == null || args[i] == PythonNone.NONE) {
            return null;
        }
        if (!(args[i] instanceof String s)) {
            throw new IllegalArgumentException(method + "() argument must be str or None, not " + typeName(args[i]));
        }
        return s;
    }

    private static String required(Object[] args, int i, String method) {
        String s = text(args, i, method);
        if (s == null) {
            throw new IllegalArgumentException(method + "() missing a str argument");
        }
        return s;
    }

    private static int integer(Object[] args, int i, int absent) {
        if (args.length <= i || args[i] == null || args[i] == PythonNone.NONE) {
            return absent;
        }
        if (!(args[i] instanceof Number n) || args[i] instanceof Double || args[i] instanceof Float) {
            throw new IllegalArgumentException("'" + typeName(args[i]) + "' object cannot be interpreted as an integer");
        }
        return n.intValue();
    }

    static String typeName(Object o) {
        return o == PythonNone.NONE ? "NoneType" : o instanceof String ? "str" : o instanceof Boolean ? "bool"
                : o instanceof Double || o instanceof Float ? "float" : o instanceof Number ? "int"
                : o instanceof java.util.Map<?, ?> ? "dict" : o instanceof Iterable<?> ? "list" : o.getClass().getSimpleName();
    }

    /** Python's str.isspace() set: Unicode whitespace, including U+001C..U+001F and U+0085. */
    static boolean isSpace(int c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == 0x85;
    }

    static String strip(String s, String chars, boolean left, boolean right) {
        int start = 0;
        int end = s.length();
        while (left && start < end && strippable(s.charAt(start), chars)) {
            start++;
        }
        while (right && end > start && strippable(s.charAt(end - 1), chars)) {
            end--;
        }
        return s.substring(start, end);
    }

    private static boolean strippable(char c, String chars) {
        return chars == null ? isSpace(c) : chars.indexOf(c) >= 0;
    }

    /** The [start, end) window of Python's optional position arguments at {@code from}, clamped. */
    private static int[] window(String s, Object[] args, int from) {
        int n = s.length();
        int start = clamp(integer(args, from, 0), n);
        int end = clamp(integer(args, from + 1, n), n);
        return new int[] {start, end};
    }

    private static int clamp(int index, int n) {
        return Math.max(0, Math.min(n, index < 0 ? index + n : index));
    }

    private static boolean affix(String s, Object[] args, String method, boolean prefix) {
        if (args.length == 0) {
            throw new IllegalArgumentException(method + "() takes at least 1 argument");
        }
        int[] w = window(s, args, 1);
        String part = w[0] <= w[1] ? s.substring(w[0], w[1]) : null;
        List<String> candidates = new ArrayList<>();
        if (args[0] instanceof String one) {
            candidates.add(one);
        } else if (args[0] instanceof Iterable<?> many) {
            for (Object a : many) {
                if (!(a instanceof String one)) {
                    throw new IllegalArgumentException("tuple for " + method + " must only contain str, not " + typeName(a));
                }
                candidates.add(one);
            }
        } else {
            throw new IllegalArgumentException(method + " first arg must be str or a tuple of str, not " + typeName(args[0]));
        }
        for (String c : candidates) {
            if (part != null && (prefix ? part.startsWith(c) : part.endsWith(c))) {
                return true;
            }
        }
        return false;
    }

    /** str.split: with a separator every piece is kept (empty ones too); without, runs of whitespace split. */
    static List<String> split(String s, String sep, int maxSplit) {
        List<String> out = new ArrayList<>();
        if (sep == null) {
            int i = 0;
            while (true) {
                while (i < s.length() && isSpace(s.charAt(i))) {
                    i++;
                }
                if (i >= s.length()) {
                    return out;
                }
                if (maxSplit >= 0 && out.size() == maxSplit) {
                    out.add(s.substring(i));
                    return out;
                }
                int j = i;
                while (j < s.length() && !isSpace(s.charAt(j))) {
                    j++;
                }
                out.add(s.substring(i, j));
                i = j;
            }
        }
        requireSeparator(sep);
        int from = 0;
        for (int at = s.indexOf(sep); at >= 0 && (maxSplit < 0 || out.size() < maxSplit); at = s.indexOf(sep, from)) {
            out.add(s.substring(from, at));
            from = at + sep.length();
        }
        out.add(s.substring(from));
        return out;
    }

    /** str.rsplit: as split, counting maxsplit from the right. */
    static List<String> rsplit(String s, String sep, int maxSplit) {
        if (maxSplit < 0) {
            return split(s, sep, maxSplit);
        }
        List<String> out = new ArrayList<>();
        if (sep == null) {
            int j = s.length();
            while (true) {
                while (j > 0 && isSpace(s.charAt(j - 1))) {
                    j--;
                }
                if (j == 0) {
                    break;
                }
                if (out.size() == maxSplit) {
                    out.add(0, s.substring(0, j));
                    break;
                }
                int i = j;
                while (i > 0 && !isSpace(s.charAt(i - 1))) {
                    i--;
                }
                out.add(0, s.substring(i, j));
                j = i;
            }
            return out;
        }
        requireSeparator(sep);
        int to = s.length();
        while (out.size() < maxSplit) {
            int at = s.lastIndexOf(sep, to - sep.length());
            if (at < 0) {
                break;
            }
            out.add(0, s.substring(at + sep.length(), to));
            to = at;
        }
        out.add(0, s.substring(0, to));
        return out;
    }

    private static void requireSeparator(String sep) {
        if (sep.isEmpty()) {
            throw new IllegalArgumentException("empty separator");
        }
    }

    /** str.splitlines: Python's line boundaries (\n, \r, \r\n, \v, \f, \x1c-\x1e, \x85, U+2028, U+2029). */
    static List<String> splitlines(String s, boolean keepEnds) {
        List<String> out = new ArrayList<>();
        int start = 0;
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            int width = c == '\r' && i + 1 < s.length() && s.charAt(i + 1) == '\n' ? 2
                    : "\n\r\u000b\f\u001c\u001d\u001e\u0085\u2028\u2029".indexOf(c) >= 0 ? 1 : 0;
            if (width == 0) {
                i++;
                continue;
            }
            out.add(s.substring(start, keepEnds ? i + width : i));
            i += width;
            start = i;
        }
        if (start < s.length()) {
            out.add(s.substring(start));
        }
        return out;
    }

    private static PythonTuple partition(String s, String sep, boolean right) {
        requireSeparator(sep);
        int at = right ? s.lastIndexOf(sep) : s.indexOf(sep);
        if (at < 0) {
            return right ? new PythonTuple("", "", s) : new PythonTuple(s, "", "");
        }
        return new PythonTuple(s.substring(0, at), sep, s.substring(at + sep.length()));
    }

    /** str.title: a cased character after an uncased one starts a word. */
    private static String title(String s) {
        StringBuilder out = new StringBuilder(s.length());
        boolean previousCased = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            out.append(previousCased ? Character.toLowerCase(c) : Character.toTitleCase(c));
            previousCased = Character.isUpperCase(c) || Character.isLowerCase(c) || Character.isTitleCase(c);
        }
        return out.toString();
    }

    private static String swapcase(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            out.append(Character.isUpperCase(c) ? Character.toLowerCase(c) : Character.isLowerCase(c) ? Character.toUpperCase(c) : c);
        }
        return out.toString();
    }

    private static boolean cased(String s) {
        return s.chars().anyMatch(c -> Character.isUpperCase(c) || Character.isLowerCase(c));
    }

    /** str.replace: an empty {@code old} inserts {@code by} before every character and at the end. */
    private static String replace(String s, String old, String by, int count) {
        StringBuilder out = new StringBuilder();
        int limit = count < 0 ? Integer.MAX_VALUE : count;
        if (old.isEmpty()) {
            int n = 0;
            for (int i = 0; i <= s.length(); i++) {
                if (n++ < limit) {
                    out.append(by);
                }
                if (i < s.length()) {
                    out.append(s.charAt(i));
                }
            }
            return out.toString();
        }
        int from = 0;
        for (int n = 0; n < limit; n++) {
            int at = s.indexOf(old, from);
            if (at < 0) {
                break;
            }
            out.append(s, from, at).append(by);
            from = at + old.length();
        }
        return out.append(s.substring(from)).toString();
    }

    /** find / rfind (-1 when absent) and index / rindex (an error when absent), within [start, end). */
    private static long find(String s, Object[] args, String method, boolean fromRight) {
        String sub = required(args, 0, method);
        int[] w = window(s, args, 1);
        int at = -1;
        if (w[1] - w[0] >= sub.length()) {
            String part = s.substring(w[0], w[1]);
            int k = fromRight ? part.lastIndexOf(sub) : part.indexOf(sub);
            at = k < 0 ? -1 : k + w[0];
        }
        if (at < 0 && method.contains("index")) {
            throw new IllegalArgumentException("substring not found");
        }
        return at;
    }

    private static long count(String s, Object[] args, String method) {
        String sub = required(args, 0, method);
        int[] w = window(s, args, 1);
        if (w[1] < w[0]) {
            return 0;
        }
        String part = s.substring(w[0], w[1]);
        if (sub.isEmpty()) {
            return part.length() + 1L;
        }
        long n = 0;
        for (int at = part.indexOf(sub); at >= 0; at = part.indexOf(sub, at + sub.length())) {
            n++;
        }
        return n;
    }

    private static String join(String sep, Object items) {
        if (!(items instanceof Iterable<?> many)) {
            throw new IllegalArgumentException("can only join an iterable");
        }
        List<String> parts = new ArrayList<>();
        for (Object o : many) {
            if (!(o instanceof String piece)) {
                throw new IllegalArgumentException("sequence item " + parts.size() + ": expected str instance, " + typeName(o) + " found");
            }
            parts.add(piece);
        }
        return String.join(sep, parts);
    }

    private static String zfill(String s, int width) {
        if (s.length() >= width) {
            return s;
        }
        boolean signed = !s.isEmpty() && (s.charAt(0) == '+' || s.charAt(0) == '-');
        String zeros = "0".repeat(width - s.length());
        return signed ? s.charAt(0) + zeros + s.substring(1) : zeros + s;
    }

    private static String pad(String s, String how, int width, String fill) {
        if (fill.length() != 1) {
            throw new IllegalArgumentException("The fill character must be exactly one character long");
        }
        int total = width - s.length();
        if (total <= 0) {
            return s;
        }
        return switch (how) {
            case "ljust" -> s + fill.repeat(total);
            case "rjust" -> fill.repeat(total) + s;
            default -> {
                // CPython puts the odd fill character on the left when the width is odd too.
                int left = total / 2 + (total & width & 1);
                yield fill.repeat(left) + s + fill.repeat(total - left);
            }
        };
    }
}
