package dev.oplora.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.oplora.adapters.EngineBridge;
import dev.oplora.model.Transformer;
import java.util.List;

/**
 * Prompts and completions laid out for one forward pass: prompts left-padded to a common width P,
 * completions right-padded to C, so every completion starts at column P. Positions count real
 * tokens only and padding is masked as keys, exactly as during generation, so log-probs here
 * equal those of the sampling pass.
 */
public record SequenceBatch(NDArray ids, int[][] positions, boolean[][] valid, NDArray targets, NDArray mask,
                            int promptWidth, int completionWidth, long completionTokens) {

    public static SequenceBatch of(NDManager manager, List<int[]> prompts, List<int[]> completions, int pad) {
        int batch = prompts.size();
        int p = prompts.stream().mapToInt(x -> x.length).max().orElse(0);
        int c = Math.max(1, completions.stream().mapToInt(x -> x.length).max().orElse(0));
        int width = p + c;
        long[] ids = new long[batch * width];
        long[] targets = new long[batch * c];
        float[] mask = new float[batch * c];
        int[][] positions = new int[batch][width];
        boolean[][] valid = new boolean[batch][width];
        long count = 0;
        for (int b = 0; b < batch; b++) {
            int[] prompt = prompts.get(b);
            int[] completion = completions.get(b);
            java.util.Arrays.fill(ids, b * width, (b + 1) * width, pad);
            int offset = p - prompt.length;
            for (int t = 0; t < prompt.length; t++) {
                ids[b * width + offset + t] = prompt[t];
                valid[b][offset + t] = true;
            }
            for (int t = 0; t < completion.length; t++) {
                ids[b * width + p + t] = completion[t];
                valid[b][p + t] = true;
                targets[b * c + t] = completion[t];
                mask[b * c + t] = 1f;
                count++;
            }
            int seen = 0;
            for (int t = 0; t < width; t++) {
                positions[b][t] = valid[b][t] ? seen++ : 0;
            }
        }
        return new SequenceBatch(EngineBridge.owned(manager.create(ids, new Shape(batch, width))), positions, valid,
                EngineBridge.owned(manager.create(targets, new Shape(batch, c))),
                EngineBridge.owned(manager.create(mask, new Shape(batch, c))), p, c, count);
    }

    /** Log-probs of the completion tokens [B, C] (and their logits' entropy, when asked), at temperature 1. */
    public NDArray[] completionLogProbs(Transformer model, boolean training, boolean reference, boolean withEntropy) {
        return completionLogProbs(model, training, reference, withEntropy, 1.0);
    }

    /**
     * Log-probs of the completion tokens [B, C] under the logits divided by {@code temperature}
     * (the distribution the completions were sampled from, as TRL scores them), and that
     * distribution's entropy when asked.
     */
    public NDArray[] completionLogProbs(Transformer model, boolean training, boolean reference, boolean withEntropy,
                                        double temperature) {
        NDArray logits = reference ? model.referenceForward(ids, positions, valid)
                : model.forward(ids, positions, valid, null, training);
        if (temperature != 1.0) {
            logits = logits.div(dev.oplora.adapters.Scalars.of(logits, temperature));
        }
        long width = ids.getShape().get(1);
        // Column t predicts token t + 1: columns P-1 .. P+C-2 predict the completion.
        NDArray predicting = logits.get(":, {}:{}, :", promptWidth - 1, width - 1);
        NDArray logp = predicting.logSoftmax(-1);
        NDArray chosen = logp.gather(targets.expandDims(-1), -1).squeeze(-1);
        if (!withEntropy) {
            return new NDArray[] {chosen};
        }
        NDArray entropy = logp.exp().mul(logp).sum(new int[] {-1}).neg();
        return new NDArray[] {chosen, entropy};
    }

    /** Masked mean of a [B, C] quantity over completion tokens. */
    public double maskedMean(NDArray x) {
        return completionTokens == 0 ? 0 : x.mul(mask).sum().getFloat() / completionTokens;
    }
}
