package dev.oplora.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.oplora.runtime.NativeThreads;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;


/**
 * Any Hugging Face {@code tokenizer.json}, through DJL's bindings to the Rust tokenizers library
 * (its native library ships inside the jar, so it loads offline). Special token ids come from
 * the model folder's config.
 */
public final class HfTokenizer implements Tokenizer {

    private final HuggingFaceTokenizer tokenizer;
    private final Path source;
    private final int bos;
    private final int eos;
    private final int pad;
    private final int vocab;

    private HfTokenizer(HuggingFaceTokenizer tokenizer, Path source, int bos, int eos, int pad, int vocab) {
        this.tokenizer = tokenizer;
        this.source = source;
        this.bos = bos;
        this.eos = eos;
        this.pad = pad;
        this.vocab = vocab;
    }

    /** Loads {@code folder/tokenizer.json}; ids of bos/eos/pad from {@code config.json} when present. */
    public static HfTokenizer load(Path folder) throws IOException {
        NativeThreads.configure();
        Path file = folder.resolve(CharTokenizer.FILE);
        HuggingFaceTokenizer hf = HuggingFaceTokenizer.builder()
                .optTokenizerPath(file)
                .optAddSpecialTokens(false)
                .build();
        int bos = -1;
        int eos = -1;
        int pad = -1;
        int vocab = -1;
        Path config = folder.resolve("config.json");
        if (Files.isRegularFile(config)) {
            var node = new com.fasterxml.jackson.databind.ObjectMapper().readTree(config.toFile());
            bos = node.path("bos_token_id").asInt(-1);
            eos = node.path("eos_token_id").asInt(-1);
            pad = node.path("pad_token_id").asInt(eos);
            vocab = node.path("vocab_size").asInt(-1);
        }
        return new HfTokenizer(hf, file, bos, eos, pad, vocab);
    }

    @Override
    public int[] encode(String text) {
        long[] ids = tokenizer.encode(text).getIds();
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = Math.toIntExact(ids[i]);
        }
        return out;
    }

    @Override
    public String decode(int[] ids) {
        long[] longs = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            longs[i] = ids[i];
        }
        return tokenizer.decode(longs, true);
    }

    @Override
    public int vocabSize() {
        return vocab;
    }

    @Override
    public int bosId() {
        return bos;
    }

    @Override
    public int eosId() {
        return eos;
    }

    @Override
    public int padId() {
        return pad;
    }

    @Override
    public void save(Path folder) throws IOException {
        Files.createDirectories(folder);
        Files.copy(source, folder.resolve(CharTokenizer.FILE), StandardCopyOption.REPLACE_EXISTING);
    }

}
