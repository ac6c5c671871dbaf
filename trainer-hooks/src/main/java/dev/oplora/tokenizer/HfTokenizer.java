package dev.oplora.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import dev.oplora.config.ConfigFiles;
import dev.oplora.runtime.NativeThreads;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Any Hugging Face {@code tokenizer.json}, through DJL's bindings to the Rust tokenizers library
 * (its native library ships inside the jar, so it loads offline). Prompts get exactly the special
 * tokens the tokenizer's own post-processor adds; nothing is truncated or padded. Special ids
 * come from the folder's {@code generation_config.json}, else its {@code config.json} (as
 * transformers' generate does), so a list-valued {@code eos_token_id} stops generation on any of
 * its ids.
 */
public final class HfTokenizer implements Tokenizer {

    private final HuggingFaceTokenizer tokenizer;
    private final Path source;
    private final int bos;
    private final int[] eos;
    private final int pad;
    private final int vocab;

    private HfTokenizer(HuggingFaceTokenizer tokenizer, Path source, int bos, int[] eos, int pad, int vocab) {
        this.tokenizer = tokenizer;
        this.source = source;
        this.bos = bos;
        this.eos = eos;
        this.pad = pad;
        this.vocab = vocab;
    }

    /** Loads {@code folder/tokenizer.json} with the special ids of the folder's generation and model configs. */
    public static HfTokenizer load(Path folder) throws IOException {
        NativeThreads.configure();
        Path file = folder.resolve(CharTokenizer.FILE);
        HuggingFaceTokenizer hf = HuggingFaceTokenizer.builder()
                .optTokenizerPath(file)
                .optAddSpecialTokens(false)
                .optTruncation(false)
                .optPadding(false)
                .build();
        JsonNode model = json(folder.resolve("config.json"));
        JsonNode generation = json(folder.resolve("generation_config.json"));
        int bos = id(generation, model, "bos_token_id", -1);
        int[] eos = ids(generation.hasNonNull("eos_token_id") ? generation.get("eos_token_id") : model.path("eos_token_id"));
        int pad = id(generation, model, "pad_token_id", eos.length > 0 ? eos[0] : -1);
        return new HfTokenizer(hf, file, bos, eos, pad, model.path("vocab_size").asInt(-1));
    }

    private static JsonNode json(Path file) throws IOException {
        return Files.isRegularFile(file) ? ConfigFiles.readObject(file, file.getFileName().toString())
                : ConfigFiles.JSON.createObjectNode();
    }

    private static int id(JsonNode first, JsonNode second, String field, int fallback) {
        JsonNode node = first.hasNonNull(field) ? first.get(field) : second.get(field);
        return node != null && node.canConvertToInt() ? node.asInt() : fallback;
    }

    private static int[] ids(JsonNode node) {
        if (node.isArray()) {
            int[] out = new int[node.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = node.get(i).asInt();
            }
            return out;
        }
        return node.canConvertToInt() ? new int[] {node.asInt()} : new int[0];
    }

    @Override
    public int[] encode(String text) {
        return ints(tokenizer.encode(text, false, false).getIds());
    }

    @Override
    public int[] encodePrompt(String text) {
        return ints(tokenizer.encode(text, true, false).getIds());
    }

    private static int[] ints(long[] ids) {
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
        return eos.length > 0 ? eos[0] : -1;
    }

    @Override
    public int[] stopIds() {
        return eos.clone();
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
