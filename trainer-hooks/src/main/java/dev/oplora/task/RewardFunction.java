package dev.oplora.task;

/**
 * A verifiable reward for one completion of one example. A GRPO run combines one or more, each
 * with a weight ({@code reward_funcs}, {@code reward_weights}): the reward of a completion is
 * the weighted sum, and each function's own mean and std are logged as
 * {@code rewards/<name>/mean} and {@code /std}. Built-ins and custom functions are found by name
 * through {@link RewardFunctions}.
 */
public interface RewardFunction {

    /** The name configs use and metrics carry. */
    String name();

    /** The reward of {@code completion} (decoded text up to EOS) for {@code example}. */
    double reward(Example example, String completion);
}
