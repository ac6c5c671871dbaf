package dev.oplora.task;

/**
 * Verifiable reward: 1 when the completion's answer equals the known answer, else 0. The answer
 * is the completion up to the end-of-sequence token, trimmed; with a format reward, a
 * well-formed answer (an optional minus and digits only) earns {@code formatBonus} even when
 * wrong.
 */
public record Verifier(double formatBonus) {

    public static Verifier exact() {
        return new Verifier(0);
    }

    public double reward(Example example, String completion) {
        String answer = completion.trim();
        if (answer.equals(example.answer())) {
            return 1.0;
        }
        return formatBonus > 0 && answer.matches("-?[0-9]+") ? formatBonus : 0.0;
    }

    public boolean correct(Example example, String completion) {
        return completion.trim().equals(example.answer());
    }
}
