package dev.oplora.chat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.oplora.fixtures.Fixtures;
import dev.oplora.tokenizer.Tokenizer;
import dev.oplora.train.Runs;
import dev.oplora.train.TrainConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Prompts through a real release's chat template and tokenizer (every fixture model folder):
 * the ids are those of Jinja2's rendering encoded without added special tokens, each chat
 * marker is the single added-token id tokenizer_config.json gives it, and the SFT completion is
 * the conversation less its prompt, as TRL splits it. Training with {@code chat_template: true}
 * runs SFT and GRPO on the fixture model; without a template it fails before writing anything.
 */
class ChatTokenizerTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    static List<Path> folders() throws IOException {
        try (Stream<Path> all = Files.list(Fixtures.folder("models"))) {
            return all.filter(Files::isDirectory).sorted().toList();
        }
    }

    static JsonNode jinja2(ChatTemplate template) throws Exception {
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(template.source().getBytes(StandardCharsets.UTF_8)));
        return ChatTemplateTest.resource("expected.json").get("by_sha256").get(sha);
    }

    @Test
    void promptAndCompletionIdsFollowTheTemplateAndTheTokenizer() throws Exception {
        for (Path folder : folders()) {
            ChatTokenizer chat = ChatTokenizer.load(folder, Map.of());
            Tokenizer plain = Tokenizer.load(folder);
            JsonNode rendered = jinja2(ChatTemplate.load(folder));
            String prompt = rendered.get("hi-prompt").get("text").asText();
            String full = rendered.get("ends-with-assistant").get("text").asText();

            int[] ids = chat.encodePrompt("Hi");
            assertArrayEquals(plain.encode(prompt), ids, folder + ": prompt ids");
            // Every added special token in the rendering is one id, the one tokenizer_config.json lists.
            JsonNode added = JSON.readTree(folder.resolve("tokenizer_config.json").toFile()).get("added_tokens_decoder");
            for (var e : (Iterable<Map.Entry<String, JsonNode>>) added::fields) {
                String content = e.getValue().get("content").asText();
                if (prompt.contains(content)) {
                    assertArrayEquals(new int[] {Integer.parseInt(e.getKey())}, plain.encode(content), content);
                    assertTrue(contains(ids, Integer.parseInt(e.getKey())), folder + ": " + content + " in the prompt ids");
                }
            }
            assertTrue(full.startsWith(prompt), "Jinja2's own rendering extends the prompt");
            int[] completion = chat.encodeCompletion("Hi", "Hello there.");
            assertArrayEquals(plain.encode(full.substring(prompt.length())), completion, folder + ": completion ids");
        }
    }

    private static boolean contains(int[] ids, int id) {
        for (int x : ids) {
            if (x == id) {
                return true;
            }
        }
        return false;
    }

    @Test
    void trainingWithTheChatTemplateRunsSftAndGrpo(@TempDir Path out) throws IOException {
        Path folder = folders().get(0);
        for (String algo : List.of("sft", "grpo")) {
            TrainConfig config = TrainConfig.parse("{\"algo\": \"" + algo + "\", \"tasks\": [\"addition\"], \"levels\": [1],"
                    + " \"test_per_level\": 2, \"max_steps\": 2, \"per_device_train_batch_size\": 4, \"num_generations\": 2,"
                    + " \"max_completion_length\": 3, \"learning_rate\": 0.001, \"logging_steps\": 1, \"chat_template\": true,"
                    + " \"chat_template_kwargs\": {\"enable_thinking\": false},"
                    + " \"adapter\": {\"adapter_type\": \"lora\", \"r\": 2, \"lora_alpha\": 4, \"init_lora_weights\": \"op-lora\", \"principal_rank\": 2}}");
            Runs.Result result = Runs.finetune(folder, config, out.resolve(algo), null, false);
            String metrics = Files.readString(out.resolve(algo).resolve(Runs.METRICS));
            assertTrue(metrics.contains(algo.equals("sft") ? "\"loss\"" : "\"reward\""), metrics);
            assertTrue(metrics.contains("\"step\":2") || metrics.contains("\"step\" : 2"), metrics);
            assertTrue(Files.readString(out.resolve(algo).resolve("train_config.json")).contains("\"chat_template\" : true"));
            assertTrue(result.evaluation().containsKey("eval/accuracy"));
        }
        // The same SFT step on plain prompts (answer + EOS) sees other ids, so its loss differs.
        TrainConfig plain = TrainConfig.parse(Files.readString(out.resolve("sft").resolve("train_config.json")))
                .toBuilder().chatTemplate(false).chatTemplateKwargs(null).build();
        Runs.finetune(folder, plain, out.resolve("plain"), null, false);
        assertNotEquals(firstLoss(out.resolve("sft")), firstLoss(out.resolve("plain")));
    }

    private static double firstLoss(Path run) throws IOException {
        return JSON.readTree(Files.readString(run.resolve(Runs.METRICS)).lines().findFirst().orElseThrow()).get("loss").asDouble();
    }

    @Test
    void aBaseWithoutATemplateIsRefusedBeforeAnythingIsWritten(@TempDir Path dir) throws IOException {
        Path folder = folders().get(0);
        Path bare = dir.resolve("bare");
        Files.createDirectories(bare);
        try (Stream<Path> files = Files.list(folder)) {
            for (Path f : files.toList()) {
                if (!f.getFileName().toString().equals("tokenizer_config.json")) {
                    Files.copy(f, bare.resolve(f.getFileName()));
                }
            }
        }
        TrainConfig config = TrainConfig.parse("{\"algo\": \"sft\", \"max_steps\": 1, \"chat_template\": true,"
                + " \"adapter\": {\"adapter_type\": \"lora\", \"r\": 2}}");
        Path out = dir.resolve("out");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Runs.finetune(bare, config, out, null, false));
        assertTrue(e.getMessage().startsWith("train config field 'chat_template' is true: " + bare + ": no chat template"), e.getMessage());
        assertFalse(Files.exists(out));
        assertThrows(IllegalArgumentException.class, () -> TrainConfig.parse("{\"chat_template_kwargs\": {\"enable_thinking\": false}}"));
    }
}
