package dev.oplora.chat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.oplora.config.ConfigFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A model folder's chat template, rendered as transformers' {@code apply_chat_template} renders
 * it: the template from {@code chat_template.jinja}, else from {@code tokenizer_config.json}'s
 * {@code chat_template} (a string, or a list of named templates of which "default" is used); the
 * context holds the tokenizer's special tokens ({@code bos_token}, {@code eos_token}, ...),
 * {@code messages}, {@code add_generation_prompt} and any extra variables
 * ({@code enable_thinking}, {@code tools}).
 */
public final class ChatTemplate {

    public static final String JINJA_FILE = "chat_template.jinja";
    public static final String TOKENIZER_CONFIG = "tokenizer_config.json";
    private static final String SPECIAL_TOKENS_MAP = "special_tokens_map.json";
    private static final List<String> SPECIAL_TOKENS = List.of("bos_token", "eos_token", "unk_token", "sep_token",
            "pad_token", "cls_token", "mask_token", "additional_special_tokens");

    private final String source;
    private final String prepared;
    private final String origin;
    private final Map<String, Object> specialTokens;

    ChatTemplate(String source, String origin, Map<String, Object> specialTokens) {
        this.source = source;
        this.prepared = JinjaEnvironment.prepare(source, origin);
        this.origin = origin;
        this.specialTokens = Map.copyOf(specialTokens);
    }

    /** The folder's chat template; an error naming the folder when it has none. */
    public static ChatTemplate load(Path folder) throws IOException {
        return find(folder).orElseThrow(() -> new IllegalArgumentException(folder + ": no chat template (neither "
                + JINJA_FILE + " nor a 'chat_template' field in " + TOKENIZER_CONFIG + ")"));
    }

    /** The folder's chat template, if it has one. */
    public static Optional<ChatTemplate> find(Path folder) throws IOException {
        Path configFile = folder.resolve(TOKENIZER_CONFIG);
        JsonNode config = Files.isRegularFile(configFile) ? ConfigFiles.readObject(configFile, TOKENIZER_CONFIG)
                : ConfigFiles.JSON.createObjectNode();
        Map<String, Object> special = specialTokens(folder, config);
        Path jinja = folder.resolve(JINJA_FILE);
        if (Files.isRegularFile(jinja)) {
            return Optional.of(new ChatTemplate(Files.readString(jinja), jinja.toString(), special));
        }
        JsonNode field = config.get("chat_template");
        if (field == null || field.isNull()) {
            return Optional.empty();
        }
        String origin = configFile + " field 'chat_template'";
        return Optional.of(new ChatTemplate(templateText(field, origin), origin, special));
    }

    private static String templateText(JsonNode field, String origin) {
        if (field.isTextual()) {
            return field.asText();
        }
        if (field.isArray()) {
            List<String> names = new ArrayList<>();
            for (JsonNode named : field) {
                String name = named.path("name").asText();
                if (name.equals("default") && named.path("template").isTextual()) {
                    return named.get("template").asText();
                }
                names.add(name);
            }
            throw new IllegalArgumentException(origin + ": no template named 'default' among " + names);
        }
        throw new IllegalArgumentException(origin + " must be a string or a list of {name, template}, got " + field.getNodeType());
    }

    /** Special tokens by name: tokenizer_config.json's, then special_tokens_map.json's for the rest. */
    private static Map<String, Object> specialTokens(Path folder, JsonNode config) throws IOException {
        Map<String, Object> out = new LinkedHashMap<>();
        Path mapFile = folder.resolve(SPECIAL_TOKENS_MAP);
        JsonNode map = Files.isRegularFile(mapFile) ? ConfigFiles.readObject(mapFile, SPECIAL_TOKENS_MAP)
                : ConfigFiles.JSON.createObjectNode();
        for (String name : SPECIAL_TOKENS) {
            JsonNode value = config.hasNonNull(name) ? config.get(name) : map.get(name);
            if (value != null && !value.isNull()) {
                out.put(name, tokenContent(value));
            }
        }
        return out;
    }

    /** A special token is a string or an AddedToken object {"content": ...}; lists hold either. */
    private static Object tokenContent(JsonNode value) {
        if (value.isArray()) {
            List<Object> all = new ArrayList<>();
            value.forEach(v -> all.add(tokenContent(v)));
            return all;
        }
        return value.isObject() ? value.path("content").asText() : value.asText();
    }

    /** The template's text, as read. */
    public String source() {
        return source;
    }

    /** Renders plain messages with extra template variables. */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt, Map<String, ?> variables) {
        List<Object> maps = new ArrayList<>();
        messages.forEach(m -> maps.add(m.asMap()));
        return renderMaps(maps, addGenerationPrompt, variables);
    }

    /**
     * Renders {@code messages} (maps as a JSON conversation holds them: role, content, tool_calls,
     * ...) with extra template variables such as {@code enable_thinking} or {@code tools}.
     */
    public String renderMaps(List<?> messages, boolean addGenerationPrompt, Map<String, ?> variables) {
        Map<String, Object> context = new LinkedHashMap<>(specialTokens);
        // transformers always passes these, None when not given (so "tools is defined" holds).
        context.put("tools", PythonNone.NONE);
        context.put("documents", PythonNone.NONE);
        variables.forEach((name, value) -> context.put(name, PythonNone.fromJson(value)));
        context.put("messages", PythonNone.fromJson(messages));
        context.put("add_generation_prompt", addGenerationPrompt);
        return JinjaEnvironment.render(prepared, context, origin);
    }
}
