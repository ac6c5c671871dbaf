package dev.oplora.tokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Text <-> token ids, with the special tokens the loops need. */
public interface Tokenizer {

    int[] encode(String text);

    String decode(int[] ids);

    int vocabSize();

    int bosId();

    int eosId();

    int padId();

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
