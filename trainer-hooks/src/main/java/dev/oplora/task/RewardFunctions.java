package dev.oplora.task;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.DoubleFunction;

/**
 * Reward functions by name. Built in:
 * <ul>
 *   <li>{@code accuracy}: 1 for the right final answer, else 0; with the train config's
 *       {@code format_reward} b > 0, a well-formed wrong answer earns b (the single-reward form
 *       of earlier configs, kept as it was);</li>
 *   <li>{@code format}: 1 for a well-formed answer (an optional minus and digits), else 0.</li>
 * </ul>
 * Applications add their own with {@link #register} before configs that name them are read.
 */
public final class RewardFunctions {

    public static final String ACCURACY = "accuracy";
    public static final String FORMAT = "format";

    private static final Map<String, DoubleFunction<RewardFunction>> REGISTRY = new ConcurrentHashMap<>(Map.of(
            ACCURACY, bonus -> named(ACCURACY, (e, c) -> new Verifier(bonus).reward(e, c)),
            FORMAT, bonus -> named(FORMAT, (e, c) -> c.trim().matches("-?[0-9]+") ? 1.0 : 0.0)));

    private RewardFunctions() {
    }

    /** Makes {@code function} available under its name (replacing a custom one of that name; built-ins stay). */
    public static void register(RewardFunction function) {
        if (List.of(ACCURACY, FORMAT).contains(function.name())) {
            throw new IllegalArgumentException("reward function '" + function.name() + "' is built in");
        }
        REGISTRY.put(function.name(), bonus -> function);
    }

    /** Every name a config may use, built-ins first. */
    public static List<String> names() {
        List<String> out = new ArrayList<>(List.of(ACCURACY, FORMAT));
        REGISTRY.keySet().stream().filter(n -> !out.contains(n)).sorted().forEach(out::add);
        return out;
    }

    /** The function called {@code name}; {@code formatBonus} is the train config's format_reward. */
    public static RewardFunction named(String name, double formatBonus) {
        DoubleFunction<RewardFunction> factory = REGISTRY.get(name);
        if (factory == null) {
            throw new IllegalArgumentException("unknown reward function '" + name + "': expected one of " + names());
        }
        return factory.apply(formatBonus);
    }

    private static RewardFunction named(String name, java.util.function.BiFunction<Example, String, Double> body) {
        return new RewardFunction() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public double reward(Example example, String completion) {
                return body.apply(example, completion);
            }
        };
    }
}
