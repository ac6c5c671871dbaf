package dev.oplora.chat;

/**
 * Rewrites a Jinja2 template so that Jinjava renders it as Jinja2 does: the forms chat templates
 * use that Jinjava's parser reads differently become equivalent forms it reads the same way.
 * Text and raw blocks are kept as they are; only tag bodies change, and whitespace is moved
 * rather than deleted, so the engine's line numbers are the template's.
 * <ul>
 *   <li>Keyword arguments: Jinjava binds {@code name=} tighter than filters and arithmetic, so
 *       {@code namespace(i=messages|length - 1)} subtracts from the parameter object. Each
 *       keyword argument's value is parenthesised: {@code namespace(i=(messages|length - 1))}.</li>
 *   <li>Slices with a step ({@code messages[::-1]}) or with an expression for a bound
 *       ({@code messages[:n+1]}) do not parse. Every slice becomes a call of the {@code py_slice}
 *       filter, which has Python's slice semantics: {@code (messages|py_slice(none, none, -1))}.</li>
 *   <li>String repetition ({@code ' ' * indent}) becomes {@code (' '|py_repeat(indent))}.</li>
 *   <li>In string literals, a backslash-newline is dropped (Python's continued line) and tag
 *       delimiters are split ({@code "{{"} becomes {@code ("{" ~ "{")}), so Jinjava's tag scanner
 *       does not end or start a tag inside a string.</li>
 *   <li>{@code trim_blocks}, {@code lstrip_blocks} and the dropped final newline are applied here,
 *       as Jinja2's lexer applies them.</li>
 *   <li>{@code not x is defined} is {@code not (x is defined)} in Jinja2 (tests bind tighter
 *       than {@code not}); Jinjava reads {@code (not x) is defined}. It becomes
 *       {@code x is not defined} (and {@code not x is not y} becomes {@code x is y}).</li>
 *   <li>Two closing braces inside an expression ({@code {'a': {'b': 1}}}) end a Jinjava print tag
 *       early; a space is put between them.</li>
 *   <li>Also: {@code not x == y} gets Jinja2's grouping, {@code x+1} a space (Jinjava reads
 *       "+1" as a number), loop filters ({@code for x in xs if c}) a gathering loop, and comments
 *       become prints of nothing (see {@link #comment}).</li>
 * </ul>
 */
final class JinjaSource {

    private JinjaSource() {
    }

    static String normalize(String source) {
        // Jinja2 reads every line ending as \n and, without keep_trailing_newline, drops one final newline.
        String template = source.replace("\r\n", "\n").replace('\r', '\n');
        if (template.endsWith("\n")) {
            template = template.substring(0, template.length() - 1);
        }
        StringBuilder out = new StringBuilder(template.length() + 64);
        JinjaStatements statements = new JinjaStatements(JinjaStatements.loopAssignments(template));
        int i = 0;
        while (i < template.length()) {
            Tag tag = findTag(template, i);
            if (tag == null) {
                out.append(template, i, template.length());
                break;
            }
            int open = tag.open();
            char kind = tag.kind();
            int stripped = lstrip(template, i, open, kind);
            out.append(template, i, open - stripped);
            int end = tag.end();
            if (end < 0) {
                // Unterminated: leave it for the engine to report with its own position.
                out.append(template, open, template.length());
                break;
            }
            if (tag.raw()) {
                out.append(template, open, tag.next());
                i = trim(template, tag.next(), '%', template.charAt(tag.next() - 3));
                continue;
            }
            String body = tag.body(template);
            int next = trim(template, end + 2, kind, body.isEmpty() ? ' ' : body.charAt(body.length() - 1));
            // Whitespace that lstrip_blocks and trim_blocks remove moves inside the tag, where it is
            // ignored, so the engine's line numbers stay those of the template.
            String moved = template.substring(open - stripped, open) + template.substring(end + 2, next);
            String marker = body.startsWith("-") ? "-" : "";
            String inner = body.substring(body.startsWith("-") || body.startsWith("+") ? 1 : 0);
            if (kind != '{' && inner.endsWith("+")) {
                inner = inner.substring(0, inner.length() - 1);
            }
            if (kind == '#') {
                out.append(comment(marker, moved, inner));
            } else if (kind == '%') {
                out.append(sameLines(moved + inner, statements.rewrite(marker, moved, inner, open)));
            } else {
                boolean stripAfter = inner.endsWith("-");
                String value = stripAfter ? inner.substring(0, inner.length() - 1) : inner;
                out.append(sameLines(moved + inner, "{{" + marker + moved + expression(PythonLogic.rewrite(value), false)
                        + (stripAfter ? "-}}" : "}}")));
            }
            i = next;
        }
        return out.toString();
    }

    /**
     * The bodies of the {@code {{ }}} and {@code {% %}} tags of a normalized template, each with
     * its string literals emptied (so only names and operators remain).
     */
    static java.util.List<String> tagBodies(String normalized) {
        java.util.List<String> bodies = new java.util.ArrayList<>();
        for (Tag tag = findTag(normalized, 0); tag != null && tag.end() >= 0; tag = findTag(normalized, tag.next())) {
            if (!tag.raw() && tag.kind() != '#') {
                StringBuilder body = new StringBuilder();
                scan(tag.body(normalized), 0, (i, depth) -> false, body);
                bodies.add(body.toString());
            }
        }
        return bodies;
    }

    /**
     * {@code rewritten} with as many newlines as {@code original}: the rewrites trim operands, so
     * the newlines they drop go back in before the closing delimiter (inside the tag, where they
     * are ignored) and the engine's line numbers stay the template's.
     */
    private static String sameLines(String original, String rewritten) {
        long missing = original.chars().filter(c -> c == '\n').count() - rewritten.chars().filter(c -> c == '\n').count();
        if (missing <= 0) {
            return rewritten;
        }
        int close = rewritten.length() - 2;
        if (close > 0 && rewritten.charAt(close - 1) == '-') {
            close--;
        }
        return rewritten.substring(0, close) + "\n".repeat((int) missing) + rewritten.substring(close);
    }

    /**
     * A comment as a print of nothing, holding its newlines: Jinjava drops comments before it
     * applies a neighbouring tag's whitespace control, so "{%- x -%}{# c #}    text" would lose the
     * spaces that Jinja2 keeps (only the whitespace touching the tag is stripped).
     */
    private static String comment(String marker, String moved, String text) {
        String newlines = "\n".repeat((int) text.chars().filter(c -> c == '\n').count());
        boolean stripAfter = text.endsWith("-");
        return "{{" + marker + moved + newlines + " '' " + (stripAfter ? "-" : "") + "}}";
    }

    /**
     * lstrip_blocks: how many spaces and tabs before a block or comment tag to drop, when only they
     * stand between the line's start and the tag ({@code {%+} keeps them). Jinjava's own switch
     * also strips after text on the same line, which Jinja2 does not.
     */
    private static int lstrip(String template, int textStart, int tag, char kind) {
        if (kind == '{' || template.startsWith("+", tag + 2)) {
            return 0;
        }
        int j = tag;
        while (j > textStart && (template.charAt(j - 1) == ' ' || template.charAt(j - 1) == '\t')) {
            j--;
        }
        // The line's start may be a newline that trim_blocks takes from the previous tag.
        boolean lineStart = j == 0 || template.charAt(j - 1) == '\n';
        return lineStart ? tag - j : 0;
    }

    /** trim_blocks: the first newline after a block or comment tag is dropped ({@code +%}} keeps it). */
    private static int trim(String template, int after, char kind, char lastOfBody) {
        boolean trims = kind != '{' && lastOfBody != '+';
        return trims && after < template.length() && template.charAt(after) == '\n' ? after + 1 : after;
    }

    /**
     * One tag of a template: where it opens, its kind ('{', '%' or '#'), where its closing
     * delimiter starts ({@code end}, -1 when it has none) and where the text after it starts
     * ({@code next}: after {@code {% endraw %}} for a raw block).
     */
    record Tag(int open, char kind, int end, int next, boolean raw) {
        String body(String template) {
            return template.substring(open + 2, end);
        }
    }

    /** The first tag at or after {@code from}, or null. */
    static Tag findTag(String template, int from) {
        int open = nextTag(template, from);
        if (open < 0) {
            return null;
        }
        char kind = template.charAt(open + 1);
        String close = kind == '{' ? "}}" : kind == '%' ? "%}" : "#}";
        int end = kind == '#' ? template.indexOf(close, open + 2) : closing(template, open + 2, close);
        if (end < 0) {
            return new Tag(open, kind, -1, template.length(), false);
        }
        boolean raw = kind == '%' && isTag(template.substring(open + 2, end), "raw");
        return new Tag(open, kind, end, raw ? endRaw(template, end + 2) : end + 2, raw);
    }

    private static int nextTag(String s, int from) {
        for (int i = s.indexOf('{', from); i >= 0 && i + 1 < s.length(); i = s.indexOf('{', i + 1)) {
            char c = s.charAt(i + 1);
            if (c == '{' || c == '%' || c == '#') {
                return i;
            }
        }
        return -1;
    }

    /** Index of {@code close} ending a tag body, skipping string literals and nested brackets. */
    private static int closing(String s, int from, String close) {
        return scan(s, from, (i, depth) -> depth == 0 && s.startsWith(close, i));
    }

    /** Index of the quote that closes the literal opening at {@code start} (or the last index). */
    private static int stringEnd(String s, int start) {
        char quote = s.charAt(start);
        for (int i = start + 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == quote) {
                return i;
            }
        }
        return s.length() - 1;
    }

    private static boolean isTag(String body, String name) {
        String t = body.strip();
        if (t.startsWith("-") || t.startsWith("+")) {
            t = t.substring(1).strip();
        }
        return t.startsWith(name) && (t.length() == name.length() || !Character.isJavaIdentifierPart(t.charAt(name.length())));
    }

    /** End of the {@code {% endraw %}} tag after a raw block starting at {@code from}. */
    private static int endRaw(String s, int from) {
        for (int i = nextTag(s, from); i >= 0; i = nextTag(s, i + 2)) {
            int end = s.indexOf("%}", i);
            if (s.charAt(i + 1) == '%' && end > 0 && isTag(s.substring(i + 2, end), "endraw")) {
                return end + 2;
            }
        }
        return s.length();
    }

    /** One expression (or statement body), rewritten; {@code definition} skips keyword wrapping (macro signatures). */
    static String expression(String source, boolean definition) {
        String e = negatedTests(source);
        StringBuilder out = new StringBuilder(e.length() + 16);
        // Per open bracket: whether it is a call, and whether a keyword value opened a paren in it.
        java.util.ArrayDeque<boolean[]> stack = new java.util.ArrayDeque<>();
        int i = 0;
        while (i < e.length()) {
            char c = e.charAt(i);
            if (c == '\'' || c == '"') {
                int end = stringEnd(e, i);
                int literalStart = out.length();
                out.append(literal(e.substring(i, end + 1)));
                i = repetition(e, end + 1, out, literalStart, definition);
                continue;
            }
            if ((Character.isLetter(c) || c == '_') && (i == 0 || !identifierPart(e.charAt(i - 1)))) {
                int end = i;
                while (end < e.length() && identifierPart(e.charAt(end))) {
                    end++;
                }
                String word = e.substring(i, end);
                if (word.equals("is") && endsWithOperand(out, out.length())) {
                    // "x|length is odd": Jinjava parses no test after a filter, Jinja2 tests the filtered value.
                    String operand = out.substring(clauseStart(out));
                    if (scan(operand, 0, (k, depth) -> depth == 0 && operand.charAt(k) == '|') >= 0) {
                        groupLastOperand(out);
                        out.append(' ');
                    }
                }
                if (word.equals("if") && endsWithOperand(out, out.length())) {
                    // An inline if (A if C else B): C is a condition, tested by Python's truth.
                    int stop = scan(e, end, (k, depth) -> depth == 0 && (isWord(e, k, "else") || e.charAt(k) == ','
                            || CLOSERS.indexOf(e.charAt(k)) >= 0));
                    int conditionEnd = stop < 0 ? e.length() : stop;
                    out.append("if ").append(JinjaStatements.condition(e.substring(end, conditionEnd))).append(' ');
                    i = conditionEnd;
                    continue;
                }
                // none / None, the literal: not an attribute (x.none), a test name (is none) or a keyword name (none=).
                int after = skipSpace(e, end);
                boolean keywordName = e.startsWith("=", after) && !e.startsWith("==", after);
                boolean literal = (word.equals("none") || word.equals("None")) && (i == 0 || e.charAt(i - 1) != '.')
                        && !afterIs(out) && !keywordName;
                int continueAt = literal ? noneComparison(e, end, out, definition) : -1;
                if (continueAt >= 0) {
                    i = continueAt;
                    continue;
                }
                out.append(literal ? PythonNone.NAME : word);
                i = end;
                continue;
            }
            if (c == '[' && isPostfix(out)) {
                int end = matching(e, i);
                String subscript = end > 0 ? e.substring(i + 1, end) : "";
                java.util.List<String> parts = end > 0 ? splitAt(subscript, k -> subscript.charAt(k) == ':', 1) : java.util.List.of();
                if (parts.size() == 2 || parts.size() == 3) {
                    slice(out, parts, definition);
                    i = end + 1;
                    continue;
                }
            }
            if (c == '{' && !isPostfix(out) && insideGroup(stack)) {
                int end = matching(e, i);
                if (end > 0) {
                    // Jinjava takes the commas of a dict literal inside parentheses for a tuple's;
                    // inside a list they are safe: [{...}][0] is the same dict.
                    out.append('[').append(expression(e.substring(i, end + 1), definition)).append("][0]");
                    i = end + 1;
                    continue;
                }
            }
            if (c == '(' || c == '[' || c == '{') {
                boolean call = c == '(' && isPostfix(out) && !definition;
                stack.push(new boolean[] {call, false, c == '(' && !call});
                out.append(c);
                i = call ? keyword(e, i + 1, out, stack.peek()) : i + 1;
                continue;
            }
            if ((c == ',' || c == ')' || c == ']' || c == '}') && !stack.isEmpty()) {
                boolean[] top = stack.peek();
                if (top[1]) {
                    out.append(')');
                    top[1] = false;
                }
                if (c == '}' && out.length() > 0 && out.charAt(out.length() - 1) == '}') {
                    out.append(' ');
                }
                out.append(c);
                if (c == ',') {
                    i = top[0] ? keyword(e, i + 1, out, top) : i + 1;
                } else {
                    stack.pop();
                    i++;
                }
                continue;
            }
            out.append(c);
            i++;
            if ((c == '+' || c == '-') && i < e.length() && Character.isDigit(e.charAt(i)) && endsWithOperand(out, out.length() - 1)) {
                // "x+1": Jinjava's scanner reads "+1" as a signed number, leaving two operands.
                out.append(' ');
            }
        }
        return out.toString();
    }

    private static final String[] DELIMITERS = {"{{", "}}", "{%", "%}", "{#", "#}"};

    /**
     * A string literal Jinjava reads as Jinja2 does: its escapes decoded as Python decodes them
     * (code points in hex, a backslash-newline dropped, an unknown escape kept; see
     * {@link PythonEscapes}) and
     * written back with the only two escapes Jinjava needs, and a literal holding a tag delimiter
     * ("{{", "%}", ...), which Jinjava's tag scanner would take for one, split into a
     * concatenation of parts that do not.
     */
    private static String literal(String quoted) {
        char quote = quoted.charAt(0);
        String body = jinjavaEscaped(PythonEscapes.decode(quoted.substring(1, quoted.length() - 1)), quote);
        java.util.List<String> parts = new java.util.ArrayList<>();
        int from = 0;
        for (int k = 0; k + 1 < body.length(); k++) {
            for (String d : DELIMITERS) {
                if (body.startsWith(d, k)) {
                    parts.add(body.substring(from, k + 1));
                    from = k + 1;
                    break;
                }
            }
        }
        parts.add(body.substring(from));
        if (parts.size() == 1) {
            return quote + body + quote;
        }
        StringBuilder out = new StringBuilder("(");
        for (int k = 0; k < parts.size(); k++) {
            out.append(k > 0 ? " ~ " : "").append(quote).append(parts.get(k)).append(quote);
        }
        return out.append(')').toString();
    }

    /** {@code text} inside {@code quote}s for Jinjava: backslashes and the quote escaped, all else as it is. */
    private static String jinjavaEscaped(String text, char quote) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\' || c == quote) {
                out.append('\\');
            }
            out.append(c);
        }
        return out.toString();
    }

    /**
     * Python's string repetition {@code ' ' * n}, after a literal just written at {@code literalStart},
     * becomes {@code (' '|py_repeat(n))}; Jinjava's {@code *} takes numbers only. Returns where
     * reading continues.
     */
    private static int repetition(String e, int after, StringBuilder out, int literalStart, boolean definition) {
        int star = skipSpace(e, after);
        if (star >= e.length() || e.charAt(star) != '*' || (star + 1 < e.length() && e.charAt(star + 1) == '*')) {
            return after;
        }
        int operand = skipSpace(e, star + 1);
        int operandEnd = primaryEnd(e, operand);
        if (operandEnd == operand) {
            return after;
        }
        out.insert(literalStart, '(').append("|py_repeat(").append(expression(e.substring(operand, operandEnd), definition)).append("))");
        return operandEnd;
    }

    /**
     * {@code X == none} and {@code X != none} (either way round) as {@code (X) is none} and
     * {@code (X) is not none}, which is what they mean: the engine would coerce a number compared
     * with None to a number, and compare a string with None's text "None". {@code after} is the
     * index after the literal in {@code e}; returns where reading continues once the comparison is
     * written to {@code out}, or -1 when the literal is not compared.
     */
    private static int noneComparison(String e, int after, StringBuilder out, boolean definition) {
        String trimmed = out.toString().stripTrailing();
        boolean before = trimmed.endsWith("==") || trimmed.endsWith("!=");
        if (before && !trimmed.endsWith("===")) {
            boolean negated = trimmed.endsWith("!=");
            out.setLength(trimmed.length() - 2);
            groupLastOperand(out);
            out.append(negated ? " is not none" : " is none");
            return after;
        }
        int op = skipSpace(e, after);
        if (e.startsWith("==", op) || e.startsWith("!=", op)) {
            int from = op + 2;
            int stop = scan(e, from, (k, depth) -> depth == 0 && endsClause(e, k));
            int end = stop < 0 ? e.length() : stop;
            out.append('(').append(expression(e.substring(from, end).strip(), definition))
                    .append(e.startsWith("!=", op) ? ") is not none " : ") is none ");
            return end;
        }
        return -1;
    }

    /** Puts the operand that ends {@code out} (see {@link #clauseStart}) in parentheses. */
    private static void groupLastOperand(StringBuilder out) {
        int start = clauseStart(out);
        String operand = out.substring(start).strip();
        out.setLength(start);
        out.append(start > 0 && !Character.isWhitespace(out.charAt(start - 1)) ? " (" : "(").append(operand).append(')');
    }

    /**
     * Where the operand that ends {@code text} starts: after the last opening bracket, comma, colon
     * or and / or / not / if / else that is not inside brackets or strings.
     */
    private static int clauseStart(CharSequence written) {
        String text = written.toString();
        int depth = 0;
        for (int k = text.length() - 1; k >= 0; k--) {
            char c = text.charAt(k);
            if (c == '\'' || c == '"') {
                k = quoteOpening(text, k);
            } else if (CLOSERS.indexOf(c) >= 0) {
                depth++;
            } else if (OPENERS.indexOf(c) >= 0) {
                if (depth == 0) {
                    return k + 1;
                }
                depth--;
            } else if (depth == 0 && (c == ',' || c == ':')) {
                return k + 1;
            } else if (depth == 0 && identifierPart(c) && (k == 0 || !identifierPart(text.charAt(k - 1)))) {
                for (String word : new String[] {"and", "or", "not", "if", "else", "in"}) {
                    if (isWord(text, k, word)) {
                        return k + word.length();
                    }
                }
            }
        }
        return 0;
    }

    /** {@code not X is [not] T} as {@code X is [not] not T}, with double negation removed. */
    static String negatedTests(String e) {
        StringBuilder out = new StringBuilder(e.length());
        int i = 0;
        while (i < e.length()) {
            char c = e.charAt(i);
            if (c == '\'' || c == '"') {
                int end = stringEnd(e, i);
                out.append(e, i, end + 1);
                i = end + 1;
                continue;
            }
            if (isWord(e, i, "not") && isUnaryNot(out)) {
                int operand = skipSpace(e, i + 3);
                int op = scan(e, operand, (k, depth) -> depth == 0 && (operatorAt(e, k) != null || endsClause(e, k)));
                String operator = op < 0 ? null : operatorAt(e, op);
                if (operator != null && operator.equals("is")) {
                    // not X is T is not (X is T): as X is not T, and not X is not T as X is T.
                    int test = skipSpace(e, op + 2);
                    boolean doubled = isWord(e, test, "not");
                    out.append('(').append(negatedTests(e.substring(operand, op).strip())).append(doubled ? ") is " : ") is not ");
                    i = doubled ? skipSpace(e, test + 3) : test;
                    continue;
                }
                if (operator != null) {
                    // not X == Y is not (X == Y) in Jinja2, Y running to the next and, or, if, else or bracket.
                    int end = scan(e, op + operator.length(), (k, depth) -> depth == 0 && endsClause(e, k));
                    int stop = end < 0 ? e.length() : end;
                    out.append("not (").append(negatedTests(e.substring(operand, stop).strip())).append(")");
                    if (stop < e.length() && !Character.isWhitespace(e.charAt(stop)) && e.charAt(stop) != ')' && e.charAt(stop) != ',') {
                        out.append(' ');
                    }
                    i = stop;
                    continue;
                }
            }
            out.append(c);
            i++;
        }
        return out.toString();
    }

    private static final String[] COMPARISONS = {"==", "!=", "<=", ">=", "<", ">"};

    /** The comparison, "is", "in" or "not in" operator at {@code k}, or null. */
    private static String operatorAt(String e, int k) {
        for (String op : COMPARISONS) {
            if (e.startsWith(op, k)) {
                return op;
            }
        }
        if (isWord(e, k, "is") || isWord(e, k, "in")) {
            return e.substring(k, k + 2);
        }
        if (isWord(e, k, "not") && isWord(e, skipSpace(e, k + 3), "in")) {
            return e.substring(k, skipSpace(e, k + 3) + 2);
        }
        return null;
    }

    /** Whether a clause of a condition ends at {@code k}: and, or, if, else, a comma or a closing bracket. */
    private static boolean endsClause(String e, int k) {
        char c = e.charAt(k);
        return c == ',' || CLOSERS.indexOf(c) >= 0 || isWord(e, k, "and") || isWord(e, k, "or")
                || isWord(e, k, "if") || isWord(e, k, "else");
    }

    /** Whether a "not" after {@code out} negates what follows (not "x not in y", not "x is not y"). */
    private static boolean isUnaryNot(StringBuilder out) {
        return !afterIs(out) && !endsWithOperand(out, out.length());
    }

    /** Whether {@code out} ends with the word "is" or "is not" (what follows is a test's name). */
    private static boolean afterIs(StringBuilder out) {
        String t = out.toString().stripTrailing();
        if (t.endsWith("not") && (t.length() == 3 || !identifierPart(t.charAt(t.length() - 4)))) {
            t = t.substring(0, t.length() - 3).stripTrailing();
        }
        return t.endsWith("is") && (t.length() == 2 || !identifierPart(t.charAt(t.length() - 3)));
    }

    static boolean isWord(String e, int at, String word) {
        return e.startsWith(word, at) && (at == 0 || !identifierPart(e.charAt(at - 1)))
                && (at + word.length() >= e.length() || !identifierPart(e.charAt(at + word.length())));
    }

    static boolean identifierPart(char c) {
        return Character.isLetterOrDigit(c) || c == '_';
    }

    static int skipSpace(String e, int from) {
        int i = from;
        while (i < e.length() && Character.isWhitespace(e.charAt(i))) {
            i++;
        }
        return i;
    }

    /**
     * End of a name or string literal with attributes, subscripts and calls
     * ({@code message['tool_calls'][0].f(x)}, {@code 'abc'.upper()}) starting at {@code from}.
     */
    private static int primaryEnd(String e, int from) {
        int i = from < e.length() && (e.charAt(from) == '\'' || e.charAt(from) == '"') ? stringEnd(e, from) + 1 : from;
        while (i < e.length()) {
            char c = e.charAt(i);
            if (identifierPart(c) || c == '.') {
                i++;
            } else if (c == '(' || (c == '[' && i > from)) {
                int close = matching(e, i);
                if (close < 0) {
                    return from;
                }
                i = close + 1;
            } else {
                break;
            }
        }
        return i;
    }

    /** After a call's '(' or ',': copies {@code name=} of a keyword argument and opens a paren for its value. */
    private static int keyword(String e, int from, StringBuilder out, boolean[] frame) {
        int i = keywordEquals(e, from);
        if (i < 0) {
            return from;
        }
        int valueEnd = scan(e, i + 1, (k, depth) -> depth == 0 && (e.charAt(k) == ',' || CLOSERS.indexOf(e.charAt(k)) >= 0));
        out.append(e, from, i + 1);
        if (hasOperator(e.substring(i + 1, valueEnd < 0 ? e.length() : valueEnd))) {
            out.append('(');
            frame[1] = true;
        }
        return i + 1;
    }

    /** The index of the '=' when {@code e} has a keyword argument's {@code name=} at {@code from}, else -1. */
    static int keywordEquals(String e, int from) {
        int i = skipSpace(e, from);
        int nameStart = i;
        while (i < e.length() && identifierPart(e.charAt(i))) {
            i++;
        }
        int nameEnd = i;
        i = skipSpace(e, i);
        boolean keyword = nameEnd > nameStart && !Character.isDigit(e.charAt(nameStart)) && i < e.length()
                && e.charAt(i) == '=' && (i + 1 >= e.length() || e.charAt(i + 1) != '=');
        return keyword ? i : -1;
    }

    /** {@code e} split at the top-level occurrences of the word {@code word} (outside brackets and strings). */
    static java.util.List<String> splitWord(String e, String word) {
        return splitAt(e, k -> isWord(e, k, word), word.length());
    }

    /** {@code e} split where {@code separator} holds outside brackets and strings, each separator {@code width} long. */
    static java.util.List<String> splitAt(String e, java.util.function.IntPredicate separator, int width) {
        java.util.List<String> parts = new java.util.ArrayList<>();
        int from = 0;
        for (int at = scan(e, 0, (k, depth) -> depth == 0 && separator.test(k)); at >= 0;
                at = scan(e, at + width, (k, depth) -> depth == 0 && separator.test(k))) {
            parts.add(e.substring(from, at));
            from = at + width;
        }
        parts.add(e.substring(from));
        return parts;
    }

    /**
     * Whether {@code expr} has an operator or a filter outside brackets. Only then is it
     * parenthesised: Jinjava misreads a dict literal inside parentheses ("({'a': 1, 'b': 2})"
     * has one entry), so values that need no grouping are left bare.
     */
    static boolean hasOperator(String expr) {
        return scan(expr, 0, (k, depth) -> depth == 0 && ("+-*/%~<>=!|".indexOf(expr.charAt(k)) >= 0
                || isWord(expr, k, "and") || isWord(expr, k, "or") || isWord(expr, k, "not") || isWord(expr, k, "if")
                || isWord(expr, k, "in") || isWord(expr, k, "is"))) >= 0;
    }

    /** {@code expr} ready to take a filter: bare when it has no operator (see {@link #hasOperator}), else parenthesised. */
    static String filterable(String expr) {
        return hasOperator(expr.replaceAll("\\|\\s*\\w+(\\([^()]*\\))?\\s*$", "")) ? "(" + expr + ")" : expr;
    }

    private static final java.util.Set<String> KEYWORDS =
            java.util.Set.of("in", "if", "else", "elif", "and", "or", "not", "is", "for", "set", "return", "do");

    /** Whether an open grouping parenthesis (not a call's) encloses the current position. */
    private static boolean insideGroup(java.util.ArrayDeque<boolean[]> stack) {
        for (boolean[] frame : stack) {
            if (frame[2]) {
                return true;
            }
        }
        return false;
    }

    /** Whether a bracket opened now follows a value (a call or subscript) rather than starting a literal. */
    private static boolean isPostfix(StringBuilder out) {
        return endsWithOperand(out, out.length());
    }

    /**
     * Whether the text before {@code end} (spaces aside) ends an operand: a name that is not a
     * keyword ("in [1, 2]" starts a literal), a number, a closing bracket or a string. A number's
     * exponent ("1e") does not count, so the sign in "1e-7" stays unary.
     */
    private static boolean endsWithOperand(StringBuilder out, int end) {
        int j = end - 1;
        while (j >= 0 && Character.isWhitespace(out.charAt(j))) {
            j--;
        }
        if (j < 0) {
            return false;
        }
        char p = out.charAt(j);
        if (p == ')' || p == ']' || p == '\'' || p == '"') {
            return true;
        }
        if (!identifierPart(p)) {
            return false;
        }
        int start = j;
        while (start > 0 && identifierPart(out.charAt(start - 1))) {
            start--;
        }
        String word = out.substring(start, j + 1);
        boolean exponent = Character.isDigit(word.charAt(0)) && (p == 'e' || p == 'E');
        return !exponent && !KEYWORDS.contains(word);
    }

    /** Index of the bracket closing the one at {@code open}, or -1. */
    static int matching(String e, int open) {
        return scan(e, open, (i, depth) -> i > open && depth == 1 && CLOSERS.indexOf(e.charAt(i)) >= 0);
    }

    private static final String OPENERS = "([{";
    static final String CLOSERS = ")]}";

    /** A character outside string literals, with the number of brackets open around it. */
    interface Visit {
        boolean stopsAt(int index, int depth);
    }

    /**
     * Visits every character of {@code e} from {@code from} that is outside a string literal, with
     * the number of brackets open before it: a bracket opened in the scan is visited at the depth
     * outside it and its partner at the depth inside it, so a closer visited at depth 0 closes a
     * bracket opened before {@code from}. Returns the index where {@code visit} stops, or -1.
     */
    static int scan(String e, int from, Visit visit) {
        return scan(e, from, visit, null);
    }

    /** {@link #scan(String, int, Visit)}, copying what it reads to {@code sink} with string literals emptied. */
    static int scan(String e, int from, Visit visit, StringBuilder sink) {
        int depth = 0;
        for (int i = from; i < e.length(); i++) {
            char c = e.charAt(i);
            if (c == '\'' || c == '"') {
                i = stringEnd(e, i);
                if (sink != null) {
                    sink.append(c).append(c);
                }
                continue;
            }
            if (sink != null) {
                sink.append(c);
            }
            if (visit.stopsAt(i, depth)) {
                return i;
            }
            if (OPENERS.indexOf(c) >= 0) {
                depth++;
            } else if (CLOSERS.indexOf(c) >= 0 && depth > 0) {
                depth--;
            }
        }
        return -1;
    }


    /** Replaces the value just written to {@code out} by {@code (value|py_slice(start, stop, step))}. */
    private static void slice(StringBuilder out, java.util.List<String> parts, boolean definition) {
        int start = primaryStart(out);
        out.insert(start, '(').append("|py_slice(");
        for (int k = 0; k < 3; k++) {
            String part = k < parts.size() ? parts.get(k).strip() : "";
            // Each bound in parentheses: Jinjava reads no arithmetic in a bare filter argument.
            out.append(k > 0 ? ", " : "").append(part.isEmpty() ? "none" : "(" + expression(part, definition) + ")");
        }
        out.append("))");
    }

    /** Where the postfix expression ending {@code out} starts: names, dots, calls and subscripts. */
    private static int primaryStart(StringBuilder out) {
        int j = out.length() - 1;
        while (j >= 0 && Character.isWhitespace(out.charAt(j))) {
            j--;
        }
        while (j >= 0) {
            char c = out.charAt(j);
            if (CLOSERS.indexOf(c) >= 0) {
                j = openingBefore(out, j) - 1;
            } else if (c == '\'' || c == '"') {
                j = quoteOpening(out, j) - 1;
            } else if (identifierPart(c) || c == '.') {
                j--;
            } else {
                break;
            }
        }
        return j + 1;
    }

    /** The bracket opening the one closing at {@code close}, string literals skipped. */
    private static int openingBefore(StringBuilder out, int close) {
        int depth = 0;
        for (int i = close; i >= 0; i--) {
            char c = out.charAt(i);
            if (c == '\'' || c == '"') {
                i = quoteOpening(out, i);
            } else if (CLOSERS.indexOf(c) >= 0) {
                depth++;
            } else if (OPENERS.indexOf(c) >= 0 && --depth == 0) {
                return i;
            }
        }
        return 0;
    }

    /** The quote opening the literal whose closing quote is at {@code close} (escaped quotes skipped). */
    private static int quoteOpening(CharSequence out, int close) {
        char quote = out.charAt(close);
        for (int k = close - 1; k >= 0; k--) {
            if (out.charAt(k) == quote) {
                int backslashes = 0;
                while (k - 1 - backslashes >= 0 && out.charAt(k - 1 - backslashes) == '\\') {
                    backslashes++;
                }
                if (backslashes % 2 == 0) {
                    return k;
                }
            }
        }
        return 0;
    }
}
