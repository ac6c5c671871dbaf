package dev.oplora.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.oplora.fixtures.Fixtures;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Chat templates rendered by oplora against Jinja2's renderings (transformers' settings), in
 * {@code src/test/resources/chat/expected.json}: templates written for these tests (Llama-3-,
 * Mistral- and Gemma-style turn formats and a sheet of the Jinja2 features chat templates use),
 * and the chat template of every fixture model folder, each with every conversation in
 * {@code conversations.json}. The text must match character for character, and where Jinja2's
 * {@code raise_exception} fired, oplora must fail with the same message.
 */
class ChatTemplateTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    record Conversation(String name, List<Object> messages, boolean addGenerationPrompt, Map<String, Object> variables) {
    }

    static List<Conversation> conversations() throws IOException {
        List<Conversation> out = new ArrayList<>();
        for (JsonNode c : resource("conversations.json")) {
            Map<String, Object> variables = c.has("variables")
                    ? JSON.convertValue(c.get("variables"), new TypeReference<Map<String, Object>>() { })
                    : Map.of();
            out.add(new Conversation(c.get("name").asText(), JSON.convertValue(c.get("messages"), new TypeReference<List<Object>>() { }),
                    c.get("add_generation_prompt").asBoolean(), variables));
        }
        return out;
    }

    static JsonNode resource(String name) throws IOException {
        try (InputStream in = ChatTemplateTest.class.getResourceAsStream("/chat/" + name)) {
            return JSON.readTree(in);
        }
    }

    static String template(String name) throws IOException {
        try (InputStream in = ChatTemplateTest.class.getResourceAsStream("/chat/templates/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void writtenTemplatesRenderAsJinja2Does() throws IOException {
        JsonNode expected = resource("expected.json");
        Map<String, Object> special = JSON.convertValue(expected.get("special_tokens"), new TypeReference<Map<String, Object>>() { });
        List<String> mismatches = new ArrayList<>();
        int checked = 0;
        for (var entry : iterable(expected.get("templates").fields())) {
            ChatTemplate template = new ChatTemplate(template(entry.getKey()), entry.getKey(), special);
            checked += compare(template, entry.getKey(), entry.getValue(), mismatches);
        }
        assertTrue(mismatches.isEmpty(), String.join("\n", mismatches));
        assertEquals(4 * conversations().size(), checked);
    }

    /** Every fixture folder's chat template (tokenizer_config.json) against Jinja2's renderings of it. */
    @Test
    void fixtureModelTemplatesRenderAsJinja2Does() throws IOException, NoSuchAlgorithmException {
        JsonNode bySha = resource("expected.json").get("by_sha256");
        List<Path> folders;
        try (Stream<Path> all = Files.list(Fixtures.folder("models"))) {
            folders = all.filter(Files::isDirectory).sorted().toList();
        }
        List<String> mismatches = new ArrayList<>();
        for (Path folder : folders) {
            ChatTemplate template = ChatTemplate.load(folder);
            String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(template.source().getBytes(StandardCharsets.UTF_8)));
            assertTrue(bySha.has(sha), folder + ": its chat template (sha256 " + sha + ") has no Jinja2 rendering in "
                    + "expected.json; regenerate it with golden.py --fixtures");
            compare(template, folder.getFileName().toString(), bySha.get(sha), mismatches);
        }
        assertTrue(mismatches.isEmpty(), String.join("\n", mismatches));
    }

    /** A template Jinja2 would refuse fails with one message naming where it came from; nothing renders half-way. */
    @Test
    void badTemplatesFailNamingTheirOrigin() {
        Map<String, String> cases = Map.of(
                "{{ messages[0].content | shout }}", "the chat template uses the filter 'shout'",
                "{% if messages is chat %}x{% endif %}", "the chat template uses the test 'chat'",
                "{% for m in messages %}{{ m.content }}", "the chat template does not render: line 1",
                "{{ raise_exception('no system prompt') }}", "the chat template raised an exception: no system prompt");
        cases.forEach((source, message) -> {
            // A template that cannot compile fails when it is read; one that raises, when it renders.
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new ChatTemplate(source, "folder/tokenizer_config.json field 'chat_template'", Map.of())
                            .render(List.of(ChatMessage.user("hi")), true, Map.of()), source);
            assertTrue(e.getMessage().startsWith("folder/tokenizer_config.json field 'chat_template': " + message), e.getMessage());
        });
    }

    private static int compare(ChatTemplate template, String label, JsonNode byConversation, List<String> mismatches)
            throws IOException {
        int checked = 0;
        for (Conversation c : conversations()) {
            JsonNode want = byConversation.get(c.name());
            String got;
            try {
                got = template.renderMaps(c.messages(), c.addGenerationPrompt(), c.variables());
            } catch (IllegalArgumentException e) {
                got = "ERROR " + e.getMessage();
            }
            checked++;
            if (want.has("error")) {
                if (!got.startsWith("ERROR ") || !got.endsWith("raised an exception: " + want.get("error").asText())) {
                    mismatches.add(label + " / " + c.name() + ": expected the template to raise '" + want.get("error").asText()
                            + "', got " + JSON.writeValueAsString(got));
                }
            } else if (!want.get("text").asText().equals(got)) {
                mismatches.add(label + " / " + c.name() + ":\n  want " + JSON.writeValueAsString(want.get("text").asText())
                        + "\n  got  " + JSON.writeValueAsString(got));
            }
        }
        return checked;
    }

    private static <T> Iterable<T> iterable(java.util.Iterator<T> it) {
        return () -> it;
    }
}
