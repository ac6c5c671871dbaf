package dev.oplora.train;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * AdamW (Loshchilov and Hutter): Adam moments with bias correction and weight decay decoupled
 * from the gradient, p -= lr (m_hat / (sqrt(v_hat) + eps) + wd p). Moments are float32 arrays
 * beside each parameter, updated in place; their state is exposed for checkpoints.
 */
public final class AdamW {

    public record Settings(double beta1, double beta2, double eps, double weightDecay) {
        public static Settings defaults(double weightDecay) {
            return new Settings(0.9, 0.999, 1e-8, weightDecay);
        }
    }

    private final Settings settings;
    private final Map<String, NDArray> first = new LinkedHashMap<>();
    private final Map<String, NDArray> second = new LinkedHashMap<>();
    private long steps;

    public AdamW(Settings settings) {
        this.settings = settings;
    }

    /** One update of every parameter that has a gradient, at learning rate {@code lr}. */
    public void step(Map<String, Parameter> parameters, double lr) {
        steps++;
        double correction1 = 1 - Math.pow(settings.beta1(), steps);
        double correction2 = 1 - Math.pow(settings.beta2(), steps);
        for (Map.Entry<String, Parameter> e : parameters.entrySet()) {
            NDArray p = e.getValue().getArray();
            NDArray g = p.getGradient();
            NDArray m = first.computeIfAbsent(e.getKey(), k -> persistent(p.zerosLike()));
            NDArray v = second.computeIfAbsent(e.getKey(), k -> persistent(p.zerosLike()));
            m.muli((float) settings.beta1()).addi(g.mul((float) (1 - settings.beta1())));
            v.muli((float) settings.beta2()).addi(g.square().muli((float) (1 - settings.beta2())));
            NDArray denominator = v.div((float) correction2).sqrt().addi((float) settings.eps());
            NDArray update = m.div((float) correction1).divi(denominator);
            if (settings.weightDecay() > 0) {
                update.addi(p.mul((float) settings.weightDecay()));
            }
            p.subi(update.muli((float) lr));
        }
    }

    /** Moments outlive the step's NDScope. */
    private static NDArray persistent(NDArray x) {
        ai.djl.ndarray.NDScope.unregister(x);
        return x;
    }

    public long steps() {
        return steps;
    }

    /** First and second moments by "m." / "v." + parameter name, for checkpoints. */
    public Map<String, NDArray> state() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        first.forEach((k, v) -> out.put("m." + k, v));
        second.forEach((k, v) -> out.put("v." + k, v));
        return out;
    }

    /** Restores moments and the step count saved by {@link #state()}. */
    public void restore(Map<String, NDArray> saved, long savedSteps) {
        first.clear();
        second.clear();
        saved.forEach((k, v) -> (k.startsWith("m.") ? first : second).put(k.substring(2), v));
        steps = savedSteps;
    }
}
