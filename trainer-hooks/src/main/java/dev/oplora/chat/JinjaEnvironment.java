package dev.oplora.chat;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.interpret.InterpreterFactory;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import java.lang.reflect.Method;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import jinjava.javax.el.CompositeELResolver;

/**
 * Jinjava set up as transformers sets up Jinja2 for chat templates: {@code trim_blocks} and
 * {@code lstrip_blocks} (through {@link JinjaSource}), Jinja2's operator precedence and whitespace control, Python's string
 * methods, transformers' {@code tojson}, and the globals {@code raise_exception} and
 * {@code strftime_now}; the {@code {% generation %}} block (assistant-mask marking) renders its
 * body (the filters, tests and tags are in {@link PythonFilters}). Any error the engine records fails the render: a prompt is never built from a template
 * that half-rendered.
 */
final class JinjaEnvironment {

    private static final Jinjava JINJAVA = create();

    private JinjaEnvironment() {
    }

    /** Raised by a template's {@code raise_exception(message)}. */
    static final class TemplateException extends RuntimeException {
        TemplateException(String message) {
            super(message);
        }
    }

    private static Jinjava create() {
        CompositeELResolver resolver = new CompositeELResolver();
        resolver.add(new PythonMethods());
        resolver.add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_ONLY);
        JinjavaConfig config = JinjavaConfig.newBuilder()
                // trim_blocks, lstrip_blocks and the dropped final newline are applied to the
                // source by JinjaSource, as Jinja2's lexer applies them; Jinjava's own switches
                // differ (lstrip after text on the same line, the output's last newline dropped).
                .withTrimBlocks(false)
                .withLstripBlocks(false)
                .withKeepTrailingNewline(true)
                .withInterperterFactory(new PythonPrinting())
                // A printed value holding "{{" is text, not a template to render again.
                .withNestedInterpretationEnabled(false)
                .withEnableRecursiveMacroCalls(true)
                .withMaxMacroRecursionDepth(256)
                .withElResolver(resolver)
                .withLegacyOverrides(LegacyOverrides.newBuilder()
                        .withUseNaturalOperatorPrecedence(true)
                        .withParseWhitespaceControlStrictly(true)
                        .withUseTrimmingForNotesAndExpressions(true)
                        .withKeepNullableLoopValues(true)
                        .withUsePyishObjectMapper(true)
                        // Jinja2 iterates a dict's keys; Jinjava would give its values.
                        .withIterateOverMapKeys(true)
                        .build())
                .build();
        Jinjava jinjava = new Jinjava(config);
        var globals = jinjava.getGlobalContext();
        PythonFilters.register(globals);
        globals.registerFunction(function("raise_exception", "raiseException"));
        globals.registerFunction(function("strftime_now", "strftimeNow"));
        return jinjava;
    }

    private static ELFunctionDefinition function(String name, String method) {
        try {
            Method m = JinjaEnvironment.class.getDeclaredMethod(method, String.class);
            m.setAccessible(true);
            return new ELFunctionDefinition("", name, m);
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String raiseException(String message) {
        throw new TemplateException(message);
    }

    private static String strftimeNow(String format) {
        return Strftime.format(LocalDateTime.now(), format);
    }

    /**
     * A template made ready once: rewritten by {@link JinjaSource} and its filter and test names
     * checked, so each render only runs the engine.
     */
    static String prepare(String template, String origin) {
        String source;
        try {
            source = JinjaSource.normalize(template);
        } catch (StackOverflowError e) {
            throw tooDeep(origin);
        }
        requireKnownNames(source, origin);
        return source;
    }

    /** Renders a {@link #prepare prepared} template with {@code context}; errors name {@code origin} and the template line. */
    static String render(String source, Map<String, Object> context, String origin) {
        Map<String, Object> bound = new java.util.HashMap<>(context);
        bound.put(PythonNone.NAME, PythonNone.NONE);
        RenderResult result;
        try {
            result = JINJAVA.renderForResult(source, bound);
        } catch (StackOverflowError e) {
            throw tooDeep(origin);
        }
        List<String> problems = new ArrayList<>();
        for (TemplateError e : result.getErrors()) {
            TemplateException raised = raised(e.getException());
            if (raised != null) {
                throw new IllegalArgumentException(origin + ": the chat template raised an exception: " + raised.getMessage());
            }
            // Jinjava reports a too-deep macro recursion as a warning and renders on, cut short.
            if (e.getSeverity() == TemplateError.ErrorType.FATAL || String.valueOf(e.getMessage()).contains("recursion")) {
                problems.add("line " + e.getLineno() + ": " + e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(origin + ": the chat template does not render: " + String.join("; ", problems));
        }
        return result.getOutput();
    }

    private static IllegalArgumentException tooDeep(String origin) {
        return new IllegalArgumentException(origin + ": the chat template nests too deeply to render");
    }

    private static final java.util.regex.Pattern FILTER = java.util.regex.Pattern.compile("\\|\\s*([A-Za-z_]\\w*)");
    private static final java.util.regex.Pattern TEST = java.util.regex.Pattern.compile("\\bis\\s+(?:not\\s+)?([A-Za-z_]\\w*)");

    /**
     * Jinjava passes a value through an unknown filter or test unchanged, where Jinja2 fails to
     * compile the template; so every filter and test name is checked before rendering.
     */
    private static void requireKnownNames(String source, String origin) {
        var globals = JINJAVA.getGlobalContext();
        for (String body : JinjaSource.tagBodies(source)) {
            java.util.regex.Matcher f = FILTER.matcher(body);
            while (f.find()) {
                if (globals.getFilter(f.group(1)) == null) {
                    throw new IllegalArgumentException(origin + ": the chat template uses the filter '" + f.group(1)
                            + "', which oplora's Jinja engine does not have");
                }
            }
            java.util.regex.Matcher t = TEST.matcher(body);
            while (t.find()) {
                if (globals.getExpTest(t.group(1)) == null) {
                    throw new IllegalArgumentException(origin + ": the chat template uses the test '" + t.group(1)
                            + "', which oplora's Jinja engine does not have");
                }
            }
        }
    }

    private static TemplateException raised(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof TemplateException raised) {
                return raised;
            }
            if (c.getMessage() != null && c.getCause() == null && c.getMessage().contains(TemplateException.class.getSimpleName())) {
                return new TemplateException(c.getMessage());
            }
        }
        return null;
    }

    /** Printed values as Python's str() writes them: True, not true; {'a': 1}, not {a=1}. */
    private static final class PythonPrinting implements InterpreterFactory {
        @Override
        public JinjavaInterpreter newInstance(JinjavaInterpreter orig) {
            return new Interpreter(orig);
        }

        @Override
        public JinjavaInterpreter newInstance(Jinjava application, Context context, JinjavaConfig config) {
            return new Interpreter(application, context, config);
        }

        private static final class Interpreter extends JinjavaInterpreter {
            Interpreter(JinjavaInterpreter orig) {
                super(orig);
            }

            Interpreter(Jinjava application, Context context, JinjavaConfig config) {
                super(application, context, config);
            }

            @Override
            public String getAsString(Object object) {
                return PythonRepr.printsAsRepr(object) ? PythonRepr.repr(object) : super.getAsString(object);
            }
        }
    }
}
