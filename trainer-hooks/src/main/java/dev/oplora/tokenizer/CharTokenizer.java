package dev.oplora.tokenizer;

import dev.oplora.files.AtomicFiles;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One token per character, for the synthetic tasks. Ids 0-3 are {@code <pad>}, {@code <bos>},
 * {@code <eos>}, {@code <unk>}; then the alphabet in order. Saved as a Hugging Face
 * {@code tokenizer.json} (a BPE model with no merges, so the Rust tokenizers library splits text
 * into exactly these characters, and a Fuse decoder that joins them back).
 */
public final class CharTokenizer implements Tokenizer {

    public static final String FILE = "tokenizer.json";
    public static final String[] SPECIALS = {"<pad>", "<bos>", "<eos>", "<unk>"};

    private final String alphabet;
    private final Map<Character, Integer> ids = new LinkedHashMap<>();

    public CharTokenizer(String alphabet) {
        this.alphabet = alphabet;
        for (int i = 0; i < alphabet.length(); i++) {
            if (ids.put(alphabet.charAt(i), SPECIALS.length + i) != null) {
                throw new IllegalArgumentException("alphabet repeats '" + alphabet.charAt(i) + "'");
            }
        }
    }

    /** Digits, arithmetic signs, '=', space and a few letters for formats. */
    public static CharTokenizer arithmetic() {
        return new CharTokenizer("0123456789+-*=() ?");
    }

    public String alphabet() {
        return alphabet;
    }

    @Override
    public int[] encode(String text) {
        int[] out = new int[text.length()];
        for (int i = 0; i < text.length(); i++) {
            out[i] = ids.getOrDefault(text.charAt(i), 3);
        }
        return out;
    }

    /** BOS, then one id per character: the convention the synthetic tasks were trained with. */
    @Override
    public int[] encodePrompt(String text) {
        int[] body = encode(text);
        int[] ids = new int[body.length + 1];
        ids[0] = bosId();
        System.arraycopy(body, 0, ids, 1, body.length);
        return ids;
    }

    @Override
    public String decode(int[] tokens) {
        StringBuilder out = new StringBuilder();
        for (int id : tokens) {
            if (id >= SPECIALS.length && id < vocabSize()) {
                out.append(alphabet.charAt(id - SPECIALS.length));
            }
        }
        return out.toString();
    }

    @Override
    public int vocabSize() {
        return SPECIALS.length + alphabet.length();
    }

    @Override
    public int bosId() {
        return 1;
    }

    @Override
    public int eosId() {
        return 2;
    }

    @Override
    public int padId() {
        return 0;
    }

    @Override
    public void save(Path folder) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        for (int i = 0; i < SPECIALS.length; i++) {
            added.addObject().put("id", i).put("content", SPECIALS[i]).put("single_word", false).put("lstrip", false)
                    .put("rstrip", false).put("normalized", false).put("special", true);
        }
        root.putNull("normalizer");
        root.putNull("pre_tokenizer");
        root.putNull("post_processor");
        root.putObject("decoder").put("type", "Fuse");
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE").putNull("dropout");
        model.put("unk_token", "<unk>").putNull("continuing_subword_prefix");
        model.putNull("end_of_word_suffix");
        model.put("fuse_unk", false).put("byte_fallback", false).put("ignore_merges", false);
        ObjectNode vocab = model.putObject("vocab");
        for (int i = 0; i < SPECIALS.length; i++) {
            vocab.put(SPECIALS[i], i);
        }
        ids.forEach((c, id) -> vocab.put(String.valueOf(c), id));
        model.putArray("merges");
        AtomicFiles.writeJson(folder.resolve(FILE), root);
    }

    /**
     * Recognises a tokenizer.json of this shape (BPE, no merges, oplora's four specials at ids
     * 0-3, then one character per id) and rebuilds it; returns null for any other tokenizer.
     */
    static CharTokenizer tryRead(Path file) throws IOException {
        JsonNode model = new ObjectMapper().readTree(file.toFile()).path("model");
        if (!"BPE".equals(model.path("type").asText()) || model.path("merges").size() != 0) {
            return null;
        }
        JsonNode vocab = model.path("vocab");
        char[] alphabet = new char[Math.max(0, vocab.size() - SPECIALS.length)];
        for (Iterator<Map.Entry<String, JsonNode>> it = vocab.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            int id = e.getValue().asInt(-1);
            if (id >= 0 && id < SPECIALS.length) {
                if (!SPECIALS[id].equals(e.getKey())) {
                    return null;
                }
            } else if (e.getKey().length() == 1 && id - SPECIALS.length < alphabet.length && id >= SPECIALS.length) {
                alphabet[id - SPECIALS.length] = e.getKey().charAt(0);
            } else {
                return null;
            }
        }
        return new CharTokenizer(new String(alphabet));
    }
}
