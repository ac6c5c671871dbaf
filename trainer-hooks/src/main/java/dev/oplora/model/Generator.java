package dev.oplora.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Batched autoregressive generation with a KV cache. Prompts of different lengths are left-padded;
 * the attention mask hides the padding and positions count real tokens only, so each row
 * generates exactly what it would alone. Sampling happens in Java from the float32 logits with
 * a seeded generator, so runs repeat exactly.
 */
public final class Generator {

    /**
     * @param temperature 0 for greedy decoding
     * @param topP nucleus mass in (0, 1]; 1 keeps every token
     */
    public record Sampling(int maxNewTokens, double temperature, double topP, boolean useCache) {
        public Sampling {
            if (maxNewTokens < 1) {
                throw new IllegalArgumentException("max_new_tokens must be >= 1, got " + maxNewTokens);
            }
            if (temperature < 0) {
                throw new IllegalArgumentException("temperature must be >= 0, got " + temperature);
            }
            if (!(topP > 0 && topP <= 1)) {
                throw new IllegalArgumentException("top_p must be in (0, 1], got " + topP);
            }
        }

        public static Sampling greedy(int maxNewTokens) {
            return new Sampling(maxNewTokens, 0, 1, true);
        }

        public boolean greedy() {
            return temperature == 0;
        }
    }

    private final Transformer model;
    private final int[] stops;
    private final int pad;

    /** Generation that stops a sequence at {@code eos} (-1: never). */
    public Generator(Transformer model, int eos, int pad) {
        this(model, new int[] {eos}, pad);
    }

    /** Generation that stops a sequence at any of {@code stops} (a list-valued eos_token_id). */
    public Generator(Transformer model, int[] stops, int pad) {
        this.model = model;
        this.stops = stops.clone();
        this.pad = pad;
    }

    private boolean stops(int id) {
        for (int stop : stops) {
            if (stop == id) {
                return true;
            }
        }
        return false;
    }

    /** Completion token ids per prompt (EOS included when produced). */
    public List<int[]> generate(List<int[]> prompts, Sampling sampling, RandomGenerator random) {
        int batch = prompts.size();
        int longest = prompts.stream().mapToInt(p -> p.length).max().orElse(0);
        if (longest == 0) {
            throw new IllegalArgumentException("every prompt needs at least one token");
        }
        int context = model.config().maxPositionEmbeddings();
        if (longest + sampling.maxNewTokens() > context) {
            throw new IllegalArgumentException("prompt of " + longest + " tokens plus " + sampling.maxNewTokens()
                    + " new tokens exceeds the context of " + context);
        }
        int total = longest + sampling.maxNewTokens();
        int[][] tokens = new int[batch][total];
        boolean[][] valid = new boolean[batch][total];
        int[] realLength = new int[batch];
        for (int b = 0; b < batch; b++) {
            int[] p = prompts.get(b);
            if (p.length == 0) {
                throw new IllegalArgumentException("prompt " + b + " is empty");
            }
            int offset = longest - p.length;
            Arrays.fill(tokens[b], pad);
            System.arraycopy(p, 0, tokens[b], offset, p.length);
            for (int t = offset; t < longest; t++) {
                valid[b][t] = true;
            }
            realLength[b] = p.length;
        }
        List<List<Integer>> out = new ArrayList<>();
        for (int b = 0; b < batch; b++) {
            out.add(new ArrayList<>());
        }
        boolean[] done = new boolean[batch];
        try (NDManager scope = model.manager().newSubManager()) {
            KvCache cache = sampling.useCache() ? new KvCache(model.config().numHiddenLayers()) : null;
            int filled = longest;
            int from = 0;
            for (int step = 0; step < sampling.maxNewTokens(); step++) {
                int start = cache != null ? from : 0;
                float[][] last = lastLogits(scope, tokens, valid, start, filled, cache);
                from = filled;
                boolean all = true;
                for (int b = 0; b < batch; b++) {
                    int next = done[b] ? pad : sample(last[b], sampling, random);
                    tokens[b][filled] = next;
                    valid[b][filled] = !done[b];
                    if (!done[b]) {
                        out.get(b).add(next);
                        realLength[b]++;
                        done[b] = stops(next);
                    }
                    all &= done[b];
                }
                filled++;
                if (all) {
                    break;
                }
            }
        }
        List<int[]> result = new ArrayList<>();
        for (List<Integer> row : out) {
            result.add(row.stream().mapToInt(Integer::intValue).toArray());
        }
        return result;
    }

    /** Logits of the last position for tokens [start, end), given the cache holds [0, start). */
    private float[][] lastLogits(NDManager scope, int[][] tokens, boolean[][] valid, int start, int end, KvCache cache) {
        int batch = tokens.length;
        int steps = end - start;
        float[] ids = new float[batch * steps];
        int[][] positions = new int[batch][steps];
        boolean[][] keys = new boolean[batch][end];
        for (int b = 0; b < batch; b++) {
            int before = 0;
            for (int t = 0; t < start; t++) {
                before += valid[b][t] ? 1 : 0;
            }
            for (int t = start; t < end; t++) {
                ids[b * steps + t - start] = tokens[b][t];
                positions[b][t - start] = Math.max(0, before - (valid[b][t] ? 0 : 1));
                before += valid[b][t] ? 1 : 0;
            }
            System.arraycopy(valid[b], 0, keys[b], 0, end);
        }
        // The scope frees every array of this step wherever it is attached: operations whose first
        // operand is a weight put their results in the model's manager, which lives as long as
        // the model. Only the cache leaves the scope (detachTo).
        try (NDScope arrays = new NDScope()) {
            arrays.suppressNotUsedWarning();
            NDArray input = scope.create(ids, new Shape(batch, steps)).toType(ai.djl.ndarray.types.DataType.INT64, false);
            NDArray logits = model.forward(input, positions, keys, cache, false);
            NDArray lastStep = logits.get(":, -1, :");
            if (cache != null) {
                cache.detachTo(scope);
            }
            float[] flat = lastStep.toFloatArray();
            int vocab = (int) lastStep.getShape().get(1);
            float[][] rows = new float[batch][vocab];
            for (int b = 0; b < batch; b++) {
                System.arraycopy(flat, b * vocab, rows[b], 0, vocab);
            }
            return rows;
        }
    }

    /** Greedy argmax, or temperature + top-p sampling from the softmax. */
    static int sample(float[] logits, Sampling s, RandomGenerator random) {
        if (s.greedy()) {
            int best = 0;
            for (int i = 1; i < logits.length; i++) {
                if (logits[i] > logits[best]) {
                    best = i;
                }
            }
            return best;
        }
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double[] p = new double[logits.length];
        double sum = 0;
        for (int i = 0; i < p.length; i++) {
            p[i] = Math.exp((logits[i] - max) / s.temperature());
            sum += p[i];
        }
        Integer[] order = new Integer[p.length];
        for (int i = 0; i < p.length; i++) {
            order[i] = i;
            p[i] /= sum;
        }
        Arrays.sort(order, (a, b) -> Double.compare(p[b], p[a]));
        double kept = 0;
        int cut = 0;
        while (cut < order.length && (cut == 0 || kept < s.topP())) {
            kept += p[order[cut++]];
        }
        double u = random.nextDouble() * kept;
        for (int i = 0; i < cut; i++) {
            u -= p[order[i]];
            if (u <= 0) {
                return order[i];
            }
        }
        return order[cut - 1];
    }
}
