package dev.oplora.adapters.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Which modules an adapter targets, with PEFT's semantics: a JSON list names modules exactly or
 * by suffix ({@code q_proj} matches {@code model.layers.0.self_attn.q_proj}); a JSON string is a
 * regular expression that must match the whole module name; {@code all-linear} is every linear
 * layer except the output layer ({@code lm_head}).
 *
 * @param names the list form, or null
 * @param regex the string form, or null
 */
public record TargetModules(List<String> names, String regex) {

    public static final String ALL_LINEAR = "all-linear";

    public TargetModules {
        if ((names == null) == (regex == null)) {
            throw new IllegalArgumentException("target modules are either a list of names or one regex string");
        }
        if (regex != null && !regex.equals(ALL_LINEAR)) {
            try {
                Pattern.compile(regex);
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("'" + regex + "' is not a valid regular expression: " + e.getDescription());
            }
        }
        names = names == null ? null : List.copyOf(names);
    }

    public static TargetModules of(String... names) {
        return new TargetModules(List.of(names), null);
    }

    public static TargetModules regex(String regex) {
        return new TargetModules(null, regex);
    }

    public static TargetModules allLinear() {
        return new TargetModules(null, ALL_LINEAR);
    }

    /** Parses the CLI form: {@code all-linear}, a comma list of names, or {@code re:REGEX}. */
    public static TargetModules parse(String spec) {
        String s = spec.trim();
        if (s.equals(ALL_LINEAR)) {
            return allLinear();
        }
        if (s.startsWith("re:")) {
            return regex(s.substring(3));
        }
        List<String> names = new ArrayList<>();
        for (String part : s.split(",")) {
            if (!part.isBlank()) {
                names.add(part.trim());
            }
        }
        if (names.isEmpty()) {
            throw new IllegalArgumentException("empty target module list '" + spec + "'");
        }
        return new TargetModules(names, null);
    }

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    static TargetModules fromJson(JsonNode node) {
        if (node.isTextual()) {
            return regex(node.textValue());
        }
        if (node.isArray()) {
            List<String> names = new ArrayList<>();
            for (JsonNode n : node) {
                if (!n.isTextual()) {
                    throw new IllegalArgumentException("module names must be strings, got " + n);
                }
                names.add(n.textValue());
            }
            return new TargetModules(names, null);
        }
        throw new IllegalArgumentException("expected a string or a list of strings, got " + node);
    }

    @JsonValue
    Object toJson() {
        return names != null ? names : regex;
    }

    /** The JSON form, for messages. */
    public String toJsonText() {
        return names != null ? names.toString() : "\"" + regex + "\"";
    }

    /** Whether {@code module} is targeted; {@code outputLayer} tells all-linear what to skip. */
    public boolean matches(String module, boolean outputLayer) {
        if (regex != null) {
            return regex.equals(ALL_LINEAR) ? !outputLayer : Pattern.compile(regex).matcher(module).matches();
        }
        for (String name : names) {
            if (module.equals(name) || module.endsWith("." + name)) {
                return true;
            }
        }
        return false;
    }
}
