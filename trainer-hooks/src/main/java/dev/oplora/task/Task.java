package dev.oplora.task;

import java.util.List;
import java.util.Locale;
import java.util.random.RandomGenerator;

/**
 * A source of prompts with verifiable answers, at difficulty levels 1..{@link #levels()}.
 * The reward is 1 for a correct final answer and 0 otherwise (see {@link Verifier}).
 */
public sealed interface Task permits Task.Addition, Task.Multiplication, Task.Expression {

    List<String> NAMES = List.of("addition", "multiplication", "expression");

    String name();

    int levels();

    /** Number of distinct prompts at {@code level}. */
    long size(int level);

    /** One random example at {@code level}. */
    Example sample(int level, RandomGenerator random);

    static Task parse(String name) {
        return switch (name == null ? "" : name.trim().toLowerCase(Locale.ROOT)) {
            case "addition", "add" -> new Addition();
            case "multiplication", "mul" -> new Multiplication();
            case "expression", "expr" -> new Expression();
            default -> throw new IllegalArgumentException("unknown task '" + name + "': expected one of " + NAMES);
        };
    }

    default void requireLevel(int level) {
        if (level < 1 || level > levels()) {
            throw new IllegalArgumentException("task " + name() + " has levels 1.." + levels() + ", got " + level);
        }
    }

    /** How many numbers {@link #number} can return. */
    private static long count(int digits) {
        return digits == 1 ? 10 : 9 * (long) Math.pow(10, digits - 1);
    }

    /** Number with exactly {@code digits} digits (1 digit includes 0). */
    private static int number(int digits, RandomGenerator random) {
        int low = digits == 1 ? 0 : (int) Math.pow(10, digits - 1);
        return random.nextInt(low, (int) Math.pow(10, digits));
    }

    /** a + b with level-many digits in each operand (1, 2 or 3). */
    record Addition() implements Task {
        @Override
        public String name() {
            return "addition";
        }

        @Override
        public int levels() {
            return 3;
        }

        @Override
        public long size(int level) {
            return count(level) * count(level);
        }

        @Override
        public Example sample(int level, RandomGenerator random) {
            requireLevel(level);
            int a = number(level, random);
            int b = number(level, random);
            return new Example(name(), level, a + "+" + b + "=", Integer.toString(a + b));
        }
    }

    /** a * b: 1x1 digits, 2x1 digits, 2x2 digits. */
    record Multiplication() implements Task {
        @Override
        public String name() {
            return "multiplication";
        }

        @Override
        public int levels() {
            return 3;
        }

        @Override
        public long size(int level) {
            return count(level == 1 ? 1 : 2) * count(level == 3 ? 2 : 1);
        }

        @Override
        public Example sample(int level, RandomGenerator random) {
            requireLevel(level);
            int a = number(level == 1 ? 1 : 2, random);
            int b = number(level == 3 ? 2 : 1, random);
            return new Example(name(), level, a + "*" + b + "=", Integer.toString(a * b));
        }
    }

    /** Multi-step: a+b-c (1 digit), a+b-c (2 digits), (a+b)*c (1 digit each). */
    record Expression() implements Task {
        @Override
        public String name() {
            return "expression";
        }

        @Override
        public int levels() {
            return 3;
        }

        @Override
        public long size(int level) {
            long n = count(level == 2 ? 2 : 1);
            return n * n * n;
        }

        @Override
        public Example sample(int level, RandomGenerator random) {
            requireLevel(level);
            int digits = level == 2 ? 2 : 1;
            int a = number(digits, random);
            int b = number(digits, random);
            int c = number(digits, random);
            return level == 3
                    ? new Example(name(), level, "(" + a + "+" + b + ")*" + c + "=", Integer.toString((a + b) * c))
                    : new Example(name(), level, a + "+" + b + "-" + c + "=", Integer.toString(a + b - c));
        }
    }
}
