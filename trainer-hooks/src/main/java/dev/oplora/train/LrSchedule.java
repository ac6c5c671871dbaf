package dev.oplora.train;

/** Linear warmup to the peak rate, then constant or cosine decay to {@code minRatio} x peak. */
public record LrSchedule(double peak, int warmupSteps, int totalSteps, LrSchedulerType kind, double minRatio) {

    public LrSchedule {
        kind = kind == null ? LrSchedulerType.CONSTANT : kind;
        if (!(peak > 0)) {
            throw new IllegalArgumentException("learning_rate must be positive, got " + peak);
        }
        if (warmupSteps < 0 || totalSteps < 1) {
            throw new IllegalArgumentException("warmup_steps must be >= 0 and max_steps >= 1");
        }
    }

    /** The rate for step {@code step} (1-based). */
    public double at(int step) {
        if (step <= warmupSteps) {
            return peak * step / (warmupSteps + 1.0);
        }
        if (kind == LrSchedulerType.CONSTANT) {
            return peak;
        }
        double progress = Math.min(1, (step - warmupSteps) / (double) Math.max(1, totalSteps - warmupSteps));
        return peak * (minRatio + (1 - minRatio) * 0.5 * (1 + Math.cos(Math.PI * progress)));
    }
}
