package dev.oplora.chat;

import static dev.oplora.chat.JinjaSource.CLOSERS;
import static dev.oplora.chat.JinjaSource.expression;
import static dev.oplora.chat.JinjaSource.filterable;
import static dev.oplora.chat.JinjaSource.identifierPart;
import static dev.oplora.chat.JinjaSource.isWord;
import static dev.oplora.chat.JinjaSource.matching;
import static dev.oplora.chat.JinjaSource.scan;
import static dev.oplora.chat.JinjaSource.skipSpace;
import static dev.oplora.chat.JinjaSource.splitWord;

/**
 * The statement tags of a template for {@link JinjaSource}, read in order with the blocks open
 * around each: for loops are rewritten (see {@link #forLoop}), a for loop's {@code else} (which
 * Jinjava ignores) becomes an {@code if} on the loop's list being empty, if and elif conditions
 * use Python's truth (see {@link #condition}), and every other statement is a
 * {@link JinjaSource#expression}.
 */
final class JinjaStatements {

    private static final java.util.Set<String> BLOCKS =
            java.util.Set.of("if", "for", "macro", "call", "filter", "generation", "autoescape", "set");

    /** An open block; for a for loop, the list it iterates and whether an else has closed it. */
    private static final class Block {
        final String name;
        final String list;
        boolean elsed;

        Block(String name, String list) {
            this.name = name;
            this.list = list;
        }
    }

    private final java.util.ArrayDeque<Block> open = new java.util.ArrayDeque<>();
    private final java.util.Map<Integer, java.util.Set<String>> assignedInLoops;
    private int loops;

    /** {@code assignedInLoops}: {@link #loopAssignments} of the template being rewritten. */
    JinjaStatements(java.util.Map<Integer, java.util.Set<String>> assignedInLoops) {
        this.assignedInLoops = assignedInLoops;
    }

    /**
     * For each for tag (by its offset in {@code template}), the names its body assigns with
     * {@code set} outside nested loops, macros and call blocks. Jinja2 starts every iteration with
     * those names as they were before the loop; Jinjava would carry them from one iteration to
     * the next, so {@link #forLoop} resets them.
     */
    static java.util.Map<Integer, java.util.Set<String>> loopAssignments(String template) {
        java.util.Map<Integer, java.util.Set<String>> out = new java.util.HashMap<>();
        java.util.ArrayDeque<Scope> scopes = new java.util.ArrayDeque<>();
        for (JinjaSource.Tag tag = JinjaSource.findTag(template, 0); tag != null && tag.end() >= 0;
                tag = JinjaSource.findTag(template, tag.next())) {
            if (tag.kind() != '%' || tag.raw()) {
                continue;
            }
            String inner = tag.body(template).strip().replaceFirst("^[-+]", "").replaceFirst("[-+]$", "").strip();
            String name = firstWord(inner);
            if (name.startsWith("end") && !scopes.isEmpty()) {
                Scope closed = scopes.pop();
                if (closed.kind.equals("for")) {
                    out.put(closed.offset, closed.names);
                }
            } else if (name.equals("for") || name.equals("macro") || name.equals("call") || name.equals("filter")) {
                scopes.push(new Scope(name, tag.open(), new java.util.LinkedHashSet<>()));
            } else if (name.equals("set") && isAssignment(inner)) {
                // The nearest scope that is not a plain block (if, set block, ...) owns the name.
                scopes.stream().filter(scope -> !scope.kind.equals("block")).findFirst()
                        .filter(scope -> scope.kind.equals("for"))
                        .ifPresent(loop -> loop.names.addAll(assignedNames(inner)));
            } else if (BLOCKS.contains(name)) {
                scopes.push(new Scope("block", tag.open(), java.util.Set.of()));
            }
        }
        return out;
    }

    /** A block open while {@link #loopAssignments} reads: a for loop gathers the names its body assigns. */
    private record Scope(String kind, int offset, java.util.Set<String> names) {
    }

    /** The plain names a "set a, b = ..." assigns (not namespace attributes such as ns.x). */
    private static java.util.List<String> assignedNames(String setBody) {
        int equals = scan(setBody, 0, (k, depth) -> depth == 0 && setBody.charAt(k) == '=');
        java.util.List<String> names = new java.util.ArrayList<>();
        for (String part : setBody.substring(3, equals).split(",")) {
            String name = part.strip();
            if (name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                names.add(name);
            }
        }
        return names;
    }

    String rewrite(String marker, String moved, String inner, int offset) {
        boolean stripAfter = inner.endsWith("-");
        String body = stripAfter ? inner.substring(0, inner.length() - 1) : inner;
        String end = (stripAfter ? "-" : "") + "%}";
        String name = firstWord(body);
        Block top = open.peek();
        if (name.equals("for")) {
            return forLoop(marker + moved, body, end, assignedInLoops.getOrDefault(offset, java.util.Set.of()));
        }
        if (name.equals("else") && top != null && top.name.equals("for") && top.list != null) {
            top.elsed = true;
            return "{%" + marker + moved + " endfor %}{% if not " + top.list + " " + end;
        }
        if (name.startsWith("end") && top != null) {
            open.pop();
            if (top.elsed && name.equals("endfor")) {
                return "{%" + marker + moved + " endif " + end;
            }
        } else if (BLOCKS.contains(name) && !(name.equals("set") && isAssignment(body))) {
            open.push(new Block(name, null));
        }
        if (name.equals("if") || name.equals("elif")) {
            String condition = body.strip().substring(name.length());
            return "{%" + marker + moved + " " + name + " " + condition(condition) + " " + end;
        }
        if (name.equals("set") && isAssignment(body)) {
            int equals = scan(body, 0, (k, depth) -> depth == 0 && body.charAt(k) == '=');
            String target = body.substring(0, equals + 1);
            return "{%" + marker + moved + expression(target + " " + PythonLogic.rewrite(body.substring(equals + 1)), false) + end;
        }
        boolean definition = name.equals("macro") || name.equals("call");
        return "{%" + marker + moved + expression(body, definition) + end;
    }

    /**
     * {@code for X in Y [if C]} as {@code set L = (Y)|py_iter} (Python's iteration: a string's
     * characters, a dict's keys), then, with a loop filter (which Jinjava ignores), the items
     * for which C holds gathered into a list, so loop.index, loop.length and loop.last count
     * the kept items as in Jinja2; then {@code for X in L}. All on the tag's line.
     */
    private String forLoop(String prefix, String body, String end, java.util.Set<String> assigned) {
        int in = scan(body, 0, (k, depth) -> depth == 0 && isWord(body, k, "in"));
        boolean recursive = scan(body, 0, (k, depth) -> depth == 0 && isWord(body, k, "recursive")) >= 0;
        if (in < 0 || recursive) {
            open.push(new Block("for", null));
            return "{%" + prefix + expression(body, false) + end;
        }
        int condition = scan(body, in + 2, (k, depth) -> depth == 0 && isWord(body, k, "if"));
        String target = body.substring(body.indexOf("for") + 3, in).strip();
        String items = body.substring(in + 2, condition < 0 ? body.length() : condition).strip();
        String list = "__oplora_loop_" + loops++;
        StringBuilder out = new StringBuilder("{%" + prefix + " set " + list + " = " + filterable(expression(PythonLogic.rewrite(items), false)) + "|py_iter %}");
        if (condition >= 0) {
            String kept = list + "_kept";
            String item = target.contains(",") ? "[" + target + "]" : target;
            out.append("{% set ").append(kept).append(" = [] %}{% for ").append(target).append(" in ").append(list)
                    .append(" %}{% if ").append(condition(body.substring(condition + 2).strip())).append(" %}{% do ")
                    .append(kept).append(".append(").append(item).append(") %}{% endif %}{% endfor %}");
            list = kept;
        }
        open.push(new Block("for", list));
        // Names the body assigns start each iteration as before the loop (see loopAssignments).
        StringBuilder resets = new StringBuilder();
        java.util.List<String> targets = java.util.Arrays.stream(target.split(",")).map(String::strip).toList();
        for (String name : assigned) {
            if (targets.contains(name)) {
                continue; // the loop binds its own variables afresh each iteration
            }
            String saved = list + "_" + name;
            out.append("{% set ").append(saved).append(" = ").append(name).append(" %}");
            resets.append("{% set ").append(name).append(" = ").append(saved).append(" %}");
        }
        out.append("{% for ").append(target).append(" in ").append(list).append(' ');
        if (resets.length() == 0) {
            return out.append(end).toString();
        }
        // The for tag's own whitespace control ("-%}") moves to the last reset, which now ends the group.
        out.append("%}").append(resets, 0, resets.length() - 2);
        return out.append(end).toString();
    }

    private static String firstWord(String body) {
        String t = body.strip();
        int k = 0;
        while (k < t.length() && identifierPart(t.charAt(k))) {
            k++;
        }
        return t.substring(0, k);
    }

    /** "set x = value" (an assignment) rather than "set x" opening a block. */
    private static boolean isAssignment(String body) {
        return scan(body, 0, (k, depth) -> depth == 0 && body.charAt(k) == '=' && (k + 1 >= body.length() || body.charAt(k + 1) != '=')
                && (k == 0 || "=!<>".indexOf(body.charAt(k - 1)) < 0)) >= 0;
    }

    /**
     * A condition whose every operand is tested by Python's truth ({@code py_truth}): Jinjava
     * takes the string "false" (any case) for false, so {@code {% if message.content %}} would drop
     * an answer "False". The condition is split at its top-level {@code or}s and {@code and}s and
     * each operand, its leading {@code not}s aside, becomes {@code (operand)|py_truth}; an operand
     * in parentheses is split in turn, and an and / or used for a value inside an operand
     * ({@code (content or '') == ''}) is {@link PythonLogic}'s.
     */
    static String condition(String c) {
        String e = c.strip();
        if (scan(e, 0, (k, depth) -> depth == 0 && (isWord(e, k, "if") || isWord(e, k, "else"))) >= 0) {
            // An inline if as the condition: its value, by Python's truth.
            return "(" + expression(PythonLogic.rewrite(e), false) + ")|py_truth";
        }
        java.util.List<String> alternatives = splitWord(e, "or");
        java.util.List<String> out = new java.util.ArrayList<>();
        for (String alternative : alternatives) {
            java.util.List<String> terms = new java.util.ArrayList<>();
            for (String term : splitWord(alternative, "and")) {
                terms.add(truthTerm(term.strip()));
            }
            out.add(String.join(" and ", terms));
        }
        return String.join(" or ", out);
    }

    private static String truthTerm(String term) {
        String core = term;
        StringBuilder nots = new StringBuilder();
        while (isWord(core, 0, "not") && !isWord(core, skipSpace(core, 3), "in")) {
            nots.append("not ");
            core = core.substring(3).strip();
        }
        if (core.startsWith("(") && matching(core, 0) == core.length() - 1) {
            return nots + "(" + condition(core.substring(1, core.length() - 1)) + ")";
        }
        String tested = "(" + expression(PythonLogic.rewrite(core), false) + ")|py_truth";
        // Jinjava applies "not" before a filter, so a negated operand is grouped whole.
        return nots.length() == 0 ? tested : nots + "(" + tested + ")";
    }
}
