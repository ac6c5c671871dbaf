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
 * .lstrip('\n')}; see {@link PythonStr}). Jinjava would otherwise reach Java's own String methods,
 * some of which share a name but not a meaning ({@code split} takes a regex and drops trailing
 * empty strings, {@code format} is static) and the rest of which do not exist ({@code lstrip},
 * {@code startswith}). A dict's {@code items()},
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
        Object result = base instanceof String s ? PythonStr.call(s, method.toString(), args) : call((Map<?, ?>) base, method.toString(), args);
        if (result != NOT_A_METHOD) {
            context.setPropertyResolved(true);
        }
        return result == NOT_A_METHOD ? null : result;
    }

    private static final Object NOT_A_METHOD = new Object();

    static Object call(Map<?, ?> map, String name, Object[] args) {
        return switch (name) {
            case "items" -> items(map);
            case "keys" -> new ArrayList<>(map.keySet());
            case "values" -> new ArrayList<>(map.values());
            case "get" -> map.containsKey(args[0]) ? map.get(args[0]) : args.length > 1 ? args[1] : PythonNone.NONE;
            default -> NOT_A_METHOD;
        };
    }

    /** dict.items(): (key, value) tuples, in the engine's own list type. */
    static List<Object> items(Map<?, ?> map) {
        List<Object> pairs = new ArrayList<>();
        map.forEach((k, v) -> pairs.add(new PythonTuple(k, v)));
        return new com.hubspot.jinjava.objects.collections.PyList(pairs);
    }

    @Override
    public Object getValue(ELContext context, Object base, Object property) {
        // A string's character by index, negative from the end, as Python indexes a str.
        // (The engine hands the index over as text.)
        Integer index = property instanceof Long || property instanceof Integer ? Integer.valueOf(((Number) property).intValue())
                : property instanceof String p && p.matches("-?\\d{1,9}") ? Integer.valueOf(p) : null;
        if (base instanceof String s && index != null) {
            int i = index < 0 ? index + s.length() : index;
            if (i < 0 || i >= s.length()) {
                throw new IllegalArgumentException("string index out of range");
            }
            context.setPropertyResolved(true);
            return String.valueOf(s.charAt(i));
        }
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
