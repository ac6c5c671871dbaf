package dev.oplora.config;

/**
 * A config value that is out of range or of the wrong kind, naming its field. Thrown by config
 * records while they validate; {@link ConfigFiles} adds the config kind, the path of the field
 * inside nested configs, and the file.
 */
public final class FieldException extends IllegalArgumentException {

    private final String field;
    private final String problem;

    /** {@code problem} reads after the field name: "must be positive, got 0", ": unknown task 'x'". */
    public FieldException(String field, String problem) {
        super("field '" + field + "'" + separated(problem));
        this.field = field;
        this.problem = problem;
    }

    public String field() {
        return field;
    }

    public String problem() {
        return problem;
    }

    /** Throws a {@link FieldException} unless {@code ok}. */
    public static void require(boolean ok, String field, String problem) {
        if (!ok) {
            throw new FieldException(field, problem);
        }
    }

    /** The message as it reads under a config kind: "train config field 'x' must ...". */
    String describe(String kind, String path) {
        return kind + " field '" + path + "'" + separated(problem);
    }

    private static String separated(String problem) {
        return problem.startsWith(":") ? problem : " " + problem;
    }
}
