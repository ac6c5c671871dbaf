package dev.oplora.chat;

import java.beans.FeatureDescriptor;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;

/**
 * Python's {@code str} and {@code dict} methods, as chat templates call them ({@code content.split('</think>')[-1]
 * .lstrip('\n')}). Jinjava would otherwise reach Java's own String methods, some of which share a
 * name but not a meaning ({@code split} takes a regex and drops trailing empty strings) and the
 * rest of which do not exist ({@code lstrip}, {@code startswith}). A dict's {@code items()},
 * {@code keys()}, {@code values()} and {@code get(key, default)} work on any map, including one a
 * {@code get} has just returned (Jinjava only wraps maps it reads from the context).
 */
final class PythonMethods extends ELResolver {

    @Override
    public Object invoke(ELContext context, Object base, Object method, Class<?>[] paramTypes, Object[] params) {
        if (method == null || !(base instanceof String || base instanceof Map<?, ?>)) {
            return null;
        }
        Object[] args = params == null ? new Object[0] : params;
        Object result = base instanceof String s ? call(s, method.toString(), args) : call((Map<?, ?>) base, method.toString(), args);
        if (result != NOT_A_METHOD) {
            context.setPropertyResolved(true);
        }
        return result == NOT_A_METHOD ? null : result;
    }

    private static final Object NOT_A_METHOD = new Object();

    static Object call(String s, String name, Object[] args) {
        return switch (name) {
            case "strip" -> strip(s, chars(args), true, true);
            case "lstrip" -> strip(s, chars(args), true, false);
            case "rstrip" -> strip(s, chars(args), false, true);
            case "startswith" -> anyAffix(args[0], p -> s.startsWith(p));
            case "endswith" -> anyAffix(args[0], p -> s.endsWith(p));
            case "split" -> split(s, args.length > 0 ? (String) args[0] : null, args.length > 1 ? ((Number) args[1]).intValue() : -1);
            case "rsplit" -> rsplit(s, args.length > 0 ? (String) args[0] : null, args.length > 1 ? ((Number) args[1]).intValue() : -1);
            case "upper" -> s.toUpperCase(java.util.Locale.ROOT);
            case "lower" -> s.toLowerCase(java.util.Locale.ROOT);
            case "title" -> title(s);
            case "capitalize" -> s.isEmpty() ? s : s.substring(0, 1).toUpperCase(java.util.Locale.ROOT) + s.substring(1).toLowerCase(java.util.Locale.ROOT);
            case "replace" -> replace(s, (String) args[0], (String) args[1], args.length > 2 ? ((Number) args[2]).intValue() : -1);
            case "find" -> (long) s.indexOf((String) args[0]);
            case "rfind" -> (long) s.lastIndexOf((String) args[0]);
            case "count" -> count(s, (String) args[0]);
            case "join" -> join(s, args[0]);
            case "splitlines" -> new ArrayList<>(s.lines().toList());
            case "isdigit" -> !s.isEmpty() && s.chars().allMatch(Character::isDigit);
            case "isspace" -> !s.isEmpty() && s.chars().allMatch(PythonMethods::isSpace);
            default -> NOT_A_METHOD;
        };
    }

    static Object call(Map<?, ?> map, String name, Object[] args) {
        return switch (name) {
            case "items" -> {
                List<Object> pairs = new ArrayList<>();
                map.forEach((k, v) -> pairs.add(java.util.Arrays.asList(k, v)));
                yield pairs;
            }
            case "keys" -> new ArrayList<>(map.keySet());
            case "values" -> new ArrayList<>(map.values());
            case "get" -> map.containsKey(args[0]) ? map.get(args[0]) : args.length > 1 ? args[1] : PythonNone.NONE;
            default -> NOT_A_METHOD;
        };
    }

    private static String chars(Object[] args) {
        return args.length > 0 && args[0] != null ? args[0].toString() : null;
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

    private static boolean anyAffix(Object affix, java.util.function.Predicate<String> test) {
        if (affix instanceof Iterable<?> many) {
            for (Object a : many) {
                if (test.test(a.toString())) {
                    return true;
                }
            }
            return false;
        }
        return test.test(affix.toString());
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
                    out.add(strip(s.substring(i), null, false, true));
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
        if (sep.isEmpty()) {
            throw new IllegalArgumentException("split: empty separator");
        }
        int from = 0;
        for (int at = s.indexOf(sep); at >= 0 && (maxSplit < 0 || out.size() < maxSplit); at = s.indexOf(sep, from)) {
            out.add(s.substring(from, at));
            from = at + sep.length();
        }
        out.add(s.substring(from));
        return out;
    }

    static List<String> rsplit(String s, String sep, int maxSplit) {
        if (maxSplit < 0 || sep == null) {
            return split(s, sep, maxSplit);
        }
        List<String> out = new ArrayList<>();
        int to = s.length();
        for (int at = s.lastIndexOf(sep, to - sep.length()); at >= 0 && out.size() < maxSplit; at = s.lastIndexOf(sep, to - sep.length())) {
            out.add(0, s.substring(at + sep.length(), to));
            to = at;
            if (to < sep.length()) {
                break;
            }
        }
        out.add(0, s.substring(0, to));
        return out;
    }

    private static String title(String s) {
        StringBuilder out = new StringBuilder(s.length());
        boolean previousCased = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            out.append(previousCased ? Character.toLowerCase(c) : Character.toUpperCase(c));
            previousCased = Character.isLetter(c);
        }
        return out.toString();
    }

    private static String replace(String s, String old, String by, int count) {
        if (count < 0) {
            return s.replace(old, by);
        }
        StringBuilder out = new StringBuilder();
        int from = 0;
        for (int n = 0; n < count; n++) {
            int at = s.indexOf(old, from);
            if (at < 0) {
                break;
            }
            out.append(s, from, at).append(by);
            from = at + old.length();
        }
        return out.append(s.substring(from)).toString();
    }

    private static long count(String s, String sub) {
        if (sub.isEmpty()) {
            return s.length() + 1L;
        }
        long n = 0;
        for (int at = s.indexOf(sub); at >= 0; at = s.indexOf(sub, at + sub.length())) {
            n++;
        }
        return n;
    }

    private static String join(String sep, Object items) {
        List<String> parts = new ArrayList<>();
        Iterator<?> it = items instanceof Iterable<?> many ? many.iterator() : List.of(items).iterator();
        it.forEachRemaining(o -> parts.add(String.valueOf(o)));
        return String.join(sep, parts);
    }

    @Override
    public Object getValue(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public Class<?> getType(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public void setValue(ELContext context, Object base, Object property, Object value) {
    }

    @Override
    public boolean isReadOnly(ELContext context, Object base, Object property) {
        return true;
    }

    @Override
    public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) {
        return null;
    }

    @Override
    public Class<?> getCommonPropertyType(ELContext context, Object base) {
        return null;
    }
}
