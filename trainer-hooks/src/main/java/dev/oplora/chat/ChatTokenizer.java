package dev.oplora.chat;

import dev.oplora.tokenizer.PromptCompletion;
import dev.oplora.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A tokenizer whose prompts go through the model's chat template, as TRL formats conversational
 * data: a prompt is one user message rendered with {@code add_generation_prompt}, then encoded
 * without special tokens (the template writes its own BOS, as transformers'
 * {@code apply_chat_template(tokenize=True)} does). For SFT the completion is what the template
 * adds for the assistant's answer after that prompt, its end-of-turn token included.
 */
public final class ChatTokenizer implements Tokenizer {

    private final Tokenizer tokenizer;
    private final ChatTemplate template;
    private final Map<String, Object> variables;

    public ChatTokenizer(Tokenizer tokenizer, ChatTemplate template, Map<String, ?> variables) {
        this.tokenizer = tokenizer;
        this.template = template;
        this.variables = Map.copyOf(variables);
    }

    /** The folder's tokenizer with the folder's chat template; an error naming the folder when it has none. */
    public static ChatTokenizer load(Path folder, Map<String, ?> variables) throws IOException {
        ChatTemplate template = ChatTemplate.load(folder);
        return new ChatTokenizer(Tokenizer.load(folder), template, variables);
    }

    /** The prompt text the model sees: {@code text} as a user turn, then the assistant's turn opened. */
    public String renderPrompt(String text) {
        return template.render(List.of(ChatMessage.user(text)), true, variables);
    }

    @Override
    public int[] encodePrompt(String text) {
        return tokenizer.encode(renderPrompt(text));
    }

    @Override
    public int[] encodeCompletion(String prompt, String answer) {
        return encodeExample(prompt, answer).completion();
    }

    /**
     * TRL's prompt-completion split: the conversation with the answer, rendered and encoded, less
     * the prompt's ids; an error when the template renders the prompt differently in the two.
     */
    @Override
    public PromptCompletion encodeExample(String prompt, String answer) {
        int[] promptIds = encodePrompt(prompt);
        List<ChatMessage> turns = List.of(ChatMessage.user(prompt), ChatMessage.assistant(answer));
        int[] full = tokenizer.encode(template.render(turns, false, variables));
        if (full.length < promptIds.length || !java.util.Arrays.equals(promptIds, 0, promptIds.length, full, 0, promptIds.length)) {
            throw new IllegalArgumentException("the chat template renders the prompt " + quote(prompt)
                    + " differently with and without the answer, so the completion cannot be split off as TRL does");
        }
        return new PromptCompletion(promptIds, java.util.Arrays.copyOfRange(full, promptIds.length, full.length));
    }

    private static String quote(String s) {
        return "\"" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "\"";
    }

    @Override
    public int[] encode(String text) {
        return tokenizer.encode(text);
    }

    @Override
    public String decode(int[] ids) {
        return tokenizer.decode(ids);
    }

    @Override
    public int vocabSize() {
        return tokenizer.vocabSize();
    }

    @Override
    public int bosId() {
        return tokenizer.bosId();
    }

    @Override
    public int eosId() {
        return tokenizer.eosId();
    }

    @Override
    public int padId() {
        return tokenizer.padId();
    }

    @Override
    public int[] stopIds() {
        return tokenizer.stopIds();
    }

    @Override
    public void save(Path folder) throws IOException {
        tokenizer.save(folder);
    }
}
