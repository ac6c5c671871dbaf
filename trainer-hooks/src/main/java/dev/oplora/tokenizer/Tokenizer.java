package dev.oplora.tokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Text <-> token ids, with the special tokens the loops need. */
public interface Tokenizer {

    /** Ids of {@code text} alone, no special tokens. */
    int[] encode(String text);

    /**
     * Ids of a prompt as the model expects it: with the special tokens the tokenizer adds itself
     * (a Hugging Face tokenizer's post-processor: BOS for Llama 3, nothing for Qwen; BOS for the
     * character tokenizer).
     */
    int[] encodePrompt(String text);

    /**
     * The ids SFT trains on for {@code answer} after {@code prompt}: the answer and EOS. A chat
     * tokenizer returns what its template adds after the prompt instead (the assistant turn).
     */
    default int[] encodeCompletion(String prompt, String answer) {
        int[] ids = encode(answer);
        int[] out = java.util.Arrays.copyOf(ids, ids.length + 1);
        out[ids.length] = eosId();
        return out;
    }

    /** {@link #encodePrompt} and {@link #encodeCompletion} of one example, the prompt encoded once. */
    default PromptCompletion encodeExample(String prompt, String answer) {
        return new PromptCompletion(encodePrompt(prompt), encodeCompletion(prompt, answer));
    }

    String decode(int[] ids);

    int vocabSize();

    int bosId();

    int eosId();

    int padId();

    /** Every id that ends a generation (a list-valued eos_token_id gives several). */
    default int[] stopIds() {
        return new int[] {eosId()};
    }

    /** Whether {@code id} ends a generation. */
    default boolean isStop(int id) {
        for (int stop : stopIds()) {
            if (stop == id) {
                return true;
            }
        }
        return false;
    }

    /** Writes {@code tokenizer.json} (Hugging Face format) into a model folder. */
    void save(Path folder) throws IOException;

    /** A model folder's tokenizer: oplora's character tokenizer, or any other tokenizer.json through DJL. */
    static Tokenizer load(Path folder) throws IOException {
        Path file = folder.resolve(CharTokenizer.FILE);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(folder + ": no " + CharTokenizer.FILE);
        }
        CharTokenizer chars = CharTokenizer.tryRead(file);
        return chars != null ? chars : HfTokenizer.load(folder);
    }
}
