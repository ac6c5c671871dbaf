package dev.oplora.cli;

import ai.djl.ndarray.NDManager;
import dev.oplora.adapters.ComputeDevice;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.oplora.adapters.DeltaFiles;
import dev.oplora.chat.ChatMessage;
import dev.oplora.chat.ChatTemplate;
import dev.oplora.config.ConfigFiles;
import dev.oplora.train.Evaluator;
import dev.oplora.train.SequenceBatch;
import dev.oplora.adapters.Engines;
import dev.oplora.model.Generator;
import dev.oplora.model.ModelFolder;
import dev.oplora.model.Transformer;
import dev.oplora.tokenizer.Tokenizer;
import dev.oplora.train.Rng;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "generate", mixinStandardHelpOptions = true, description = "Complete a prompt with a model (and optionally an adapter).")
final class GenerateCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, description = "Model folder.")
    Path model;

    @Option(names = "--adapter", description = "Adapter folder to apply.")
    Path adapter;

    @Option(names = "--prompt", description = "Prompt text, e.g. 12+34= (or --messages).")
    String prompt;

    @Option(names = "--messages", paramLabel = "FILE", description = "A conversation as JSON, a list of messages "
            + "({\"role\": ..., \"content\": ...}, tool_calls as in transformers), rendered with the chat template "
            + "(implies --chat) and continued as the assistant.")
    Path messagesFile;

    @Option(names = "--tools", paramLabel = "FILE", description = "With --chat: a JSON list of tool schemas passed to the "
            + "chat template as 'tools'.")
    Path toolsFile;

    @Option(names = "--greedy", description = "Greedy decoding (default: temperature sampling).")
    boolean greedy;

    @Option(names = "--temperature", defaultValue = "1.0", description = "Sampling temperature.")
    double temperature;

    @Option(names = "--top-p", defaultValue = "1.0", description = "Nucleus mass.")
    double topP;

    @Option(names = "--max-new-tokens", defaultValue = "16", description = "Tokens to generate at most.")
    int maxNewTokens;

    @Option(names = "--seed", defaultValue = "0", description = "Sampling seed.")
    long seed;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu, cuda or cuda:N.")
    ComputeDevice device;

    @Option(names = "--chat", description = "Format the prompt with the model folder's chat template: one user "
            + "message (after --system, if given), then the assistant's turn opened (add_generation_prompt). "
            + "The plain output then starts with the rendered prompt.")
    boolean chat;

    @Option(names = "--system", description = "With --chat: a system message before the prompt.")
    String system;

    @Option(names = "--chat-var", paramLabel = "NAME=VALUE", description = "With --chat: a chat template variable, "
            + "e.g. enable_thinking=false (the value is read as JSON when it parses, else as text). Repeatable.")
    Map<String, String> chatVars = new LinkedHashMap<>();

    @Option(names = "--json", description = "Print one JSON object: prompt_ids, completion_ids, completion_logprobs "
            + "(log-softmax of each chosen id), text.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        chat |= messagesFile != null;
        if ((prompt == null) == (messagesFile == null)) {
            throw new IllegalArgumentException("give either --prompt or --messages");
        }
        if (!chat && (system != null || !chatVars.isEmpty() || toolsFile != null)) {
            throw new IllegalArgumentException("--system, --chat-var and --tools need --chat");
        }
        if (messagesFile != null && system != null) {
            throw new IllegalArgumentException("--system goes into the --messages file as its first message");
        }
        // Rendered before the model loads, so a bad template or conversation fails at once.
        String rendered = chat ? renderChat() : null;
        try (NDManager manager = Engines.newManager(device)) {
            Transformer m = ModelFolder.load(model, manager, false);
            if (adapter != null) {
                DeltaFiles.loadAny(adapter, m.linearLayers());
            }
            Tokenizer tokenizer = Tokenizer.load(model);
            // A chat template writes its own special tokens (encoded as transformers'
            // apply_chat_template does, adding none); otherwise the tokenizer adds exactly what its
            // post-processor adds (no BOS by hand).
            int[] ids = chat ? tokenizer.encode(rendered) : tokenizer.encodePrompt(prompt);
            if (ids.length + maxNewTokens > m.config().maxPositionEmbeddings()) {
                throw new IllegalArgumentException("the prompt (" + ids.length + " tokens) plus --max-new-tokens "
                        + maxNewTokens + " exceed max_position_embeddings " + m.config().maxPositionEmbeddings());
            }
            Generator.Sampling sampling = new Generator.Sampling(maxNewTokens, greedy ? 0 : temperature, topP, true);
            int[] out = new Generator(m, tokenizer.stopIds(), tokenizer.padId()).generate(List.of(ids), sampling, new Rng(seed)).get(0);
            String text = Evaluator.completionText(tokenizer, out);
            if (!json) {
                System.out.println((chat ? rendered : prompt) + text);
                return 0;
            }
            float[] logprobs = SequenceBatch.of(manager, List.of(ids), List.of(out), tokenizer.padId())
                    .completionLogProbs(m, false, false, false)[0].toFloatArray();
            ObjectNode result = ConfigFiles.JSON.createObjectNode();
            result.putPOJO("prompt_ids", ids);
            if (chat) {
                result.put("prompt_text", rendered);
            }
            result.putPOJO("completion_ids", out);
            result.putPOJO("completion_logprobs", java.util.Arrays.copyOf(logprobs, out.length));
            result.put("text", text);
            System.out.println(ConfigFiles.JSON.writer().without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT).writeValueAsString(result));
        }
        return 0;
    }

    private String renderChat() throws java.io.IOException {
        Map<String, Object> variables = new LinkedHashMap<>();
        chatVars.forEach((name, value) -> variables.put(name, jsonOrText(value)));
        if (toolsFile != null) {
            variables.put("tools", ConfigFiles.JSON.convertValue(jsonList(toolsFile, "tools"), List.class));
        }
        ChatTemplate template = ChatTemplate.load(model);
        if (messagesFile != null) {
            return template.renderMaps(conversation(messagesFile), true, variables);
        }
        List<ChatMessage> messages = new ArrayList<>();
        if (system != null) {
            messages.add(ChatMessage.system(system));
        }
        messages.add(ChatMessage.user(prompt));
        return template.render(messages, true, variables);
    }

    /** A conversation file: a non-empty list of messages, each an object with a string role. */
    private static List<?> conversation(Path file) throws java.io.IOException {
        JsonNode list = jsonList(file, "messages");
        for (int i = 0; i < list.size(); i++) {
            if (!list.get(i).path("role").isTextual()) {
                throw new IllegalArgumentException(file + ": messages[" + i + "] has no string 'role'");
            }
        }
        return ConfigFiles.JSON.convertValue(list, List.class);
    }

    private static JsonNode jsonList(Path file, String what) throws java.io.IOException {
        JsonNode node;
        try {
            node = ConfigFiles.JSON.readTree(file.toFile());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(file + ": not JSON: " + e.getOriginalMessage());
        } catch (java.io.FileNotFoundException | java.nio.file.NoSuchFileException e) {
            throw new IllegalArgumentException(file + ": no such file");
        }
        if (node == null || !node.isArray() || node.isEmpty()) {
            throw new IllegalArgumentException(file + ": " + what + " must be a non-empty JSON list");
        }
        return node;
    }

    private static Object jsonOrText(String value) {
        try {
            return ConfigFiles.JSON.readValue(value, Object.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return value;
        }
    }
}
