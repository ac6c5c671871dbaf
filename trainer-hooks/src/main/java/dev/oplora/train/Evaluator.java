package dev.oplora.train;

import dev.oplora.model.Generator;
import dev.oplora.model.Transformer;
import dev.oplora.task.Example;
import dev.oplora.task.Verifier;
import dev.oplora.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Held-out accuracy (greedy) per task and level, and pass@k from k samples per prompt. */
public final class Evaluator {

    private static final int BATCH = 64;

    private Evaluator() {
    }

    /** Prompt ids as the loops feed them: the tokenizer's own prompt encoding. */
    public static int[] promptIds(Tokenizer tokenizer, Example e) {
        return tokenizer.encodePrompt(e.prompt());
    }

    /** Completion text: tokens up to (not including) the first stop id. */
    public static String completionText(Tokenizer tokenizer, int[] completion) {
        int end = 0;
        while (end < completion.length && !tokenizer.isStop(completion[end])) {
            end++;
        }
        return tokenizer.decode(java.util.Arrays.copyOf(completion, end));
    }

    /**
     * Metrics "eval/accuracy" and "eval/accuracy/&lt;task&gt;/&lt;level&gt;"; with k > 1 also
     * "eval/pass@k" (unbiased estimator over k samples at temperature 1).
     */
    public static Map<String, Double> evaluate(Transformer model, Tokenizer tokenizer, List<Example> examples,
                                               int maxNewTokens, int passAtK, Rng rng) {
        Generator generator = new Generator(model, tokenizer.stopIds(), tokenizer.padId());
        Verifier verifier = Verifier.exact();
        Map<String, int[]> cells = new LinkedHashMap<>();
        int correct = 0;
        for (int from = 0; from < examples.size(); from += BATCH) {
            List<Example> chunk = examples.subList(from, Math.min(examples.size(), from + BATCH));
            List<int[]> prompts = new ArrayList<>();
            for (Example e : chunk) {
                prompts.add(promptIds(tokenizer, e));
            }
            List<int[]> out = generator.generate(prompts, Generator.Sampling.greedy(maxNewTokens), rng);
            for (int i = 0; i < chunk.size(); i++) {
                Example e = chunk.get(i);
                boolean ok = verifier.correct(e, completionText(tokenizer, out.get(i)));
                int[] cell = cells.computeIfAbsent("eval/accuracy/" + e.task() + "/" + e.level(), k -> new int[2]);
                cell[0] += ok ? 1 : 0;
                cell[1]++;
                correct += ok ? 1 : 0;
            }
        }
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("eval/accuracy", examples.isEmpty() ? 0 : correct / (double) examples.size());
        cells.forEach((k, v) -> metrics.put(k, v[0] / (double) v[1]));
        if (passAtK > 1) {
            metrics.put("eval/pass@" + passAtK, passAtK(generator, tokenizer, examples, maxNewTokens, passAtK, rng));
        }
        return metrics;
    }

    private static double passAtK(Generator generator, Tokenizer tokenizer, List<Example> examples, int maxNewTokens,
                                  int k, Rng rng) {
        Verifier verifier = Verifier.exact();
        double total = 0;
        Generator.Sampling sampling = new Generator.Sampling(maxNewTokens, 1.0, 1.0, true);
        for (Example e : examples) {
            List<int[]> prompts = new ArrayList<>();
            for (int i = 0; i < k; i++) {
                prompts.add(promptIds(tokenizer, e));
            }
            int c = 0;
            for (int[] completion : generator.generate(prompts, sampling, rng)) {
                c += verifier.correct(e, completionText(tokenizer, completion)) ? 1 : 0;
            }
            total += c > 0 ? 1 : 0; // n = k samples: 1 - C(n - c, k) / C(n, k) is 1 iff c > 0
        }
        return examples.isEmpty() ? 0 : total / examples.size();
    }
}
