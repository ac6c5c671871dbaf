package dev.oplora.chat;

import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.exptest.ExpTest;
import com.hubspot.jinjava.lib.filter.Filter;
import com.hubspot.jinjava.lib.tag.Tag;
import com.hubspot.jinjava.tree.Node;
import com.hubspot.jinjava.tree.TagNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The filters, tests and tags that make Jinjava's library Jinja2's as transformers uses it:
 * transformers' tojson, Jinja2's default, list, items, string, none, iterable and sequence (where
 * Jinjava's differ), the generation block, and the helpers {@link JinjaSource}'s rewrites call
 * (py_slice, py_repeat, py_iter, py_truth).
 */
final class PythonFilters {

    private PythonFilters() {
    }

    static void register(Context globals) {
        globals.registerFilter(new ToJson());
        globals.registerFilter(new PySlice());
        globals.registerFilter(new PyRepeat());
        globals.registerFilter(new Items());
        globals.registerFilter(new PyIter());
        globals.registerFilter(new PyList());
        globals.registerFilter(new PyTruth());
        globals.registerFilter(new Default("default"));
        globals.registerFilter(new Default("d"));
        globals.registerFilter(new PyString());
        globals.registerFilter(new Select("select", false, false));
        globals.registerFilter(new Select("reject", false, true));
        globals.registerFilter(new Select("selectattr", true, false));
        globals.registerFilter(new Select("rejectattr", true, true));
        globals.registerTag(new Generation());
        globals.registerExpTest(new NoneTest());
        globals.registerExpTest(new IterableTest("iterable"));
        globals.registerExpTest(new IterableTest("sequence"));
    }

    /** transformers' tojson: json.dumps(x, ensure_ascii=False, indent=indent, separators=separators, sort_keys=sort_keys). */
    private static final class ToJson implements Filter {
        @Override
        public String getName() {
            return "tojson";
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
            return filter(var, interpreter, args, Map.of());
        }

        /** transformers' signature: tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False). */
        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
            Object ensureAscii = argument(args, kwargs, 0, "ensure_ascii");
            Object indent = argument(args, kwargs, 1, "indent");
            Object separators = argument(args, kwargs, 2, "separators");
            Object sortKeys = argument(args, kwargs, 3, "sort_keys");
            String item = null;
            String key = null;
            if (separators instanceof List<?> pair && pair.size() == 2) {
                item = String.valueOf(pair.get(0));
                key = String.valueOf(pair.get(1));
            }
            String indentText = indent == null || indent == PythonNone.NONE ? null
                    : indent instanceof Number n ? " ".repeat(Math.max(0, n.intValue())) : indent.toString();
            return new PythonJson(indentText, item, key, PyTruth.truth(sortKeys), PyTruth.truth(ensureAscii)).dumps(var);
        }

        private static Object argument(Object[] args, Map<String, Object> kwargs, int position, String name) {
            return kwargs.containsKey(name) ? kwargs.get(name) : args.length > position ? args[position] : null;
        }
    }

    /** value[start:stop:step] with Python's semantics, for lists and strings (see {@link JinjaSource}). */
    private static final class PySlice implements Filter {
        @Override
        public String getName() {
            return "py_slice";
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
            throw new UnsupportedOperationException("py_slice takes its arguments as values");
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
            if (!(var instanceof String || var instanceof Iterable<?>)) {
                throw new IllegalArgumentException("cannot slice a " + (var == null ? "none" : var.getClass().getSimpleName()));
            }
            List<Object> out = PythonSlice.apply(PyIter.iterate(var), bound(args[0]), bound(args[1]), bound(args[2]));
            if (var instanceof String) {
                StringBuilder joined = new StringBuilder();
                out.forEach(joined::append);
                return joined.toString();
            }
            return out;
        }
    }

    /** A slice bound: a number, or none for Python's default. */
    private static Number bound(Object value) {
        return value == null || value == PythonNone.NONE ? null : (Number) value;
    }

    /** Jinja2's none test: true of None only, not of an undefined name (see {@link PythonNone}). */
    private static final class NoneTest implements ExpTest {
        @Override
        public String getName() {
            return "none";
        }

        @Override
        public boolean evaluate(Object var, JinjavaInterpreter interpreter, Object... args) {
            return var == PythonNone.NONE;
        }
    }

    /** Jinja2's iterable and sequence tests, which hold for strings too (Jinjava's do not). */
    private record IterableTest(String getName) implements ExpTest {
        @Override
        public boolean evaluate(Object var, JinjavaInterpreter interpreter, Object... args) {
            return var instanceof String || var instanceof Iterable<?> || var instanceof Map<?, ?>
                    || (var != null && var.getClass().isArray());
        }
    }

    /** Python's {@code str * n} (see {@link JinjaSource}). */
    private static final class PyRepeat implements Filter {
        @Override
        public String getName() {
            return "py_repeat";
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
            throw new UnsupportedOperationException("py_repeat takes its arguments as values");
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
            return String.valueOf(var).repeat(Math.max(0, ((Number) args[0]).intValue()));
        }
    }

    /**
     * Jinja2's default(value, default_value='', boolean=False): the fallback for an undefined
     * value (None is defined), or with boolean=true for any false one. Jinjava's hands its
     * argument back as text, so default(false) would be the string "false".
     */
    private record Default(String getName) implements Filter {
        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
            throw new UnsupportedOperationException("default takes its arguments as values");
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
            Object fallback = kwargs.containsKey("default_value") ? kwargs.get("default_value") : args.length > 0 ? args[0] : "";
            Object booleanFlag = kwargs.containsKey("boolean") ? kwargs.get("boolean") : args.length > 1 ? args[1] : false;
            boolean useFallback = var == null || (PyTruth.truth(booleanFlag) && !PyTruth.truth(var));
            return useFallback ? fallback : var;
        }
    }

    /** Jinja2's list filter: what a for loop would iterate, as a list (a dict's keys, a string's characters). */
    private static final class PyList implements Filter {
        @Override
        public String getName() {
            return "list";
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
            return PyIter.iterate(var);
        }
    }

    /** Python's truth of a value (see {@link JinjaSource#condition}): every non-empty string is true. */
    private static final class PyTruth implements Filter {
        @Override
        public String getName() {
            return "py_truth";
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
            return truth(var);
        }

        static boolean truth(Object var) {
            return var instanceof String s ? !s.isEmpty() : com.hubspot.jinjava.util.ObjectTruthValue.evaluate(var);
        }
    }

    /**
     * What a Jinja2 for loop iterates (see {@link JinjaSource}): a string's characters, a dict's
     * keys, a list's items; nothing for an undefined name; None is an error, as in Python.
     */
    private static final class PyIter implements Filter {
        @Override
        public String getName() {
            return "py_iter";
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
            return iterate(var);
        }

        static List<Object> iterate(Object var) {
            List<Object> out = new ArrayList<>();
            if (var == null) {
                return out;
            }
            if (var == PythonNone.NONE) {
                throw new IllegalArgumentException("'NoneType' object is not iterable");
            }
            if (var instanceof String s) {
                s.codePoints().forEach(c -> out.add(new String(Character.toChars(c))));
            } else if (var instanceof Map<?, ?> map) {
                out.addAll(map.keySet());
            } else if (var instanceof Object[] array) {
                out.addAll(java.util.Arrays.asList(array));
            } else if (var instanceof java.util.Iterator<?> iterator) {
                iterator.forEachRemaining(out::add);
            } else if (var instanceof Iterable<?> items) {
                items.forEach(out::add);
            } else {
                throw new IllegalArgumentException("'" + PythonStr.typeName(var) + "' object is not iterable");
            }
            return out;
        }
    }

    /**
     * Jinja2's select, reject, selectattr and rejectattr: the items (or the items' attribute) that
     * pass a test, or with no test are true by Python's truth (Jinjava's drop "false" strings and
     * refuse select without a test).
     */
    private record Select(String getName, boolean byAttribute, boolean reject) implements Filter {
        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
            throw new UnsupportedOperationException(getName + " takes its arguments as values");
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
            int first = byAttribute ? 1 : 0;
            if (byAttribute && args.length == 0) {
                throw new IllegalArgumentException(getName + " needs the name of an attribute");
            }
            String testName = args.length > first ? String.valueOf(args[first]) : null;
            ExpTest test = testName == null ? null : interpreter.getContext().getExpTest(testName);
            if (testName != null && test == null) {
                throw new IllegalArgumentException(getName + ": no test named '" + testName + "'");
            }
            Object[] testArgs = args.length > first + 1 ? java.util.Arrays.copyOfRange(args, first + 1, args.length) : new Object[0];
            List<Object> out = new ArrayList<>();
            for (Object item : PyIter.iterate(var)) {
                Object value = byAttribute ? attribute(item, String.valueOf(args[0]), interpreter) : item;
                boolean passes = test == null ? PyTruth.truth(value) : test.evaluate(value, interpreter, testArgs);
                if (passes != reject) {
                    out.add(item);
                }
            }
            return out;
        }

        private static Object attribute(Object item, String path, JinjavaInterpreter interpreter) {
            Object value = item;
            for (String part : path.split("\\.")) {
                value = value instanceof Map<?, ?> map ? map.get(part) : value == null ? null : interpreter.resolveProperty(value, part);
            }
            return value;
        }
    }

    /** Jinja2's items filter: a mapping's (key, value) pairs, in order. */
    private static final class Items implements Filter {
        @Override
        public String getName() {
            return "items";
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
            if (var instanceof Map<?, ?> map) {
                return PythonMethods.items(map);
            }
            if (var != null) {
                throw new IllegalArgumentException("items: not a mapping: " + var.getClass().getSimpleName());
            }
            return PythonMethods.items(Map.of());
        }
    }

    /** Jinja2's string filter: Python's str(), so {'a': 1} and True rather than {a=1} and true. */
    private static final class PyString implements Filter {
        @Override
        public String getName() {
            return "string";
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
            return var == null ? "None" : PythonRepr.printsAsRepr(var) ? PythonRepr.repr(var) : var.toString();
        }
    }

    /** transformers' {% generation %}: marks assistant tokens for masks; the text is the body's. */
    private static final class Generation implements Tag {
        @Override
        public String getName() {
            return "generation";
        }

        @Override
        public String getEndTagName() {
            return "endgeneration";
        }

        @Override
        public String interpret(TagNode tagNode, JinjavaInterpreter interpreter) {
            StringBuilder out = new StringBuilder();
            for (Node child : tagNode.getChildren()) {
                out.append(child.render(interpreter).getValue());
            }
            return out.toString();
        }
    }
}
