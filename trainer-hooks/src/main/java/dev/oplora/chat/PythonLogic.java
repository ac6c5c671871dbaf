package dev.oplora.chat;

import static dev.oplora.chat.JinjaSource.isWord;
import static dev.oplora.chat.JinjaSource.scan;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code or} and {@code and} used for a value ({@code message['content'] or ''}) as Python
 * evaluates them: the first operand that decides, by Python's truth. Jinjava's take the string
 * "false" (any case) for false, so an answer "False" would turn into ''. {@code A or B} becomes
 * {@code ((A) if (A)|py_truth else (B))} and {@code A and B} {@code ((B) if (A)|py_truth else (A))},
 * at every nesting level (call arguments, list items, dict values), for {@link JinjaSource} to
 * rewrite further. Conditions are {@link JinjaStatements#condition}'s.
 */
final class PythonLogic {

    /** Longer chains are left alone: each step repeats the operands so far. */
    private static final int MAX_OPERANDS = 4;

    private PythonLogic() {
    }

    static String rewrite(String e) {
        int ternary = scan(e, 0, (k, depth) -> depth == 0 && isWord(e, k, "if"));
        if (ternary >= 0) {
            int otherwise = scan(e, ternary + 2, (k, depth) -> depth == 0 && isWord(e, k, "else"));
            String value = rewrite(e.substring(0, ternary));
            if (otherwise < 0) {
                return value + e.substring(ternary);
            }
            return value + e.substring(ternary, otherwise + 4) + " " + rewrite(e.substring(otherwise + 4));
        }
        List<String> alternatives = JinjaSource.splitWord(e, "or");
        if (alternatives.size() > 1 && alternatives.size() <= MAX_OPERANDS) {
            String folded = conjunction(alternatives.get(0));
            for (String next : alternatives.subList(1, alternatives.size())) {
                String b = conjunction(next);
                folded = "((" + folded + ") if (" + folded + ")|py_truth else (" + b + "))";
            }
            return folded;
        }
        return alternatives.size() > 1 ? e : conjunction(e);
    }

    private static String conjunction(String e) {
        List<String> terms = JinjaSource.splitWord(e, "and");
        if (terms.size() == 1 || terms.size() > MAX_OPERANDS) {
            return groups(e);
        }
        String folded = groups(terms.get(0)).strip();
        for (String next : terms.subList(1, terms.size())) {
            String b = groups(next).strip();
            folded = "((" + b + ") if (" + folded + ")|py_truth else (" + folded + "))";
        }
        return folded;
    }

    /** {@code e} with the contents of each bracket group rewritten piece by piece (pieces split at commas and colons). */
    private static String groups(String e) {
        StringBuilder out = new StringBuilder();
        int from = 0;
        while (true) {
            int open = scan(e, from, (k, depth) -> depth == 0 && "([{".indexOf(e.charAt(k)) >= 0);
            if (open < 0) {
                return out.append(e.substring(from)).toString();
            }
            int close = JinjaSource.matching(e, open);
            if (close < 0) {
                return out.append(e.substring(from)).toString();
            }
            out.append(e, from, open + 1);
            String inner = e.substring(open + 1, close);
            // Call arguments, list items and dict entries: pieces between top-level commas and colons.
            int at = 0;
            for (String piece : JinjaSource.splitAt(inner, k -> inner.charAt(k) == ',' || inner.charAt(k) == ':', 1)) {
                out.append(argument(piece));
                at += piece.length();
                if (at < inner.length()) {
                    out.append(inner.charAt(at++));
                }
            }
            out.append(e.charAt(close));
            from = close + 1;
        }
    }

    /** A call argument or list item: a keyword argument's name ({@code name=}) stays outside the rewrite. */
    private static String argument(String piece) {
        int equals = JinjaSource.keywordEquals(piece, 0);
        return equals >= 0 ? piece.substring(0, equals + 1) + rewrite(piece.substring(equals + 1)) : rewrite(piece);
    }
}
