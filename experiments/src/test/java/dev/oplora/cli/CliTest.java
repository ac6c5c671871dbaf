package dev.oplora.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every command, in-process, on tiny data: the quick demo builds a base and a full grid once,
 * and the other commands run against its outputs.
 */
class CliTest {

    @TempDir
    static Path dir;
    static Path demo;
    static Path base;

    record Run(int code, String out, String err) {
    }

    static Run cli(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        System.setOut(new PrintStream(o, true));
        System.setErr(new PrintStream(e, true));
        try {
            return new Run(Main.execute(args), o.toString(), e.toString());
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    @BeforeAll
    static void quickDemo() throws Exception {
        demo = dir.resolve("demo");
        Run run = cli("demo", "--quick", "--out", demo.toString());
        assertEquals(0, run.code(), run.err());
        base = demo.resolve("base/model");
        assertTrue(run.out().contains("report: "), run.out());
    }

    @Test
    void demoWritesTheReportAndEveryCell() throws Exception {
        for (String f : List.of("report.md", "report.html", "results.csv", "results.json")) {
            assertTrue(Files.isRegularFile(demo.resolve(f)), f);
        }
        String md = Files.readString(demo.resolve("report.md"));
        for (String method : List.of("full", "lora", "op-lora", "op-lora-projected", "pissa", "sparse-principal", "sparse-principal-complement")) {
            for (String algo : List.of("sft", "grpo")) {
                assertTrue(md.contains("| " + method + " | " + algo + " | "), method + " " + algo);
            }
        }
        assertTrue(md.contains("## Cross-run consistency of update masks"));
        assertTrue(md.contains("| op-lora-projected__grpo__addition | "));
        assertEquals(4, Files.readString(demo.resolve("report.html")).split("data:image/png;base64,").length - 1, "four inline plots");
        assertEquals(64, Files.readAllLines(demo.resolve("results.csv")).size(), "header + 42 cells + 21 matched-rate controls");
        // The projected adapter keeps the top-k subspaces in place up to bf16 rounding (the demo stores
        // weights in bf16): well under a degree, and below op-lora without the projection.
        for (String algo : List.of("sft", "grpo")) {
            for (int seed = 1; seed <= 3; seed++) {
                JsonNode projected = new ObjectMapper().readTree(demo.resolve("cells/op-lora-projected__" + algo + "__addition__s"
                        + seed + "/result.json").toFile());
                JsonNode free = new ObjectMapper().readTree(demo.resolve("cells/op-lora__" + algo + "__addition__s" + seed
                        + "/result.json").toFile());
                double kept = projected.path("geometry_trained").path("max_angle_u_deg").asDouble();
                assertEquals("ok", projected.path("status").asText());
                assertTrue(kept < 0.5 && kept < free.path("geometry_trained").path("max_angle_u_deg").asDouble(),
                        algo + " seed " + seed + ": projected " + kept + " degrees vs " + free.path("geometry_trained"));
            }
        }
        // Re-running the grid skips every finished cell.
        Path config = Files.createTempFile(dir, "grid", ".json");
        Files.copy(CliTest.class.getResourceAsStream("/configs/demo-quick.json"), config, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Run again = cli("grid", "--config", config.toString(), "--out", demo.toString());
        assertEquals(0, again.code(), again.err());
        assertTrue(again.out().contains("63 cells, 0 ran, 63 already done, 0 failed"), again.out());
    }

    @Test
    void inspectInitMergeGenerate() throws Exception {
        Run inspect = cli("inspect", base.toString(), "--json");
        assertEquals(0, inspect.code(), inspect.err());
        JsonNode json = new ObjectMapper().readTree(inspect.out());
        assertTrue(json.path("parameters").asLong() > 0);
        assertTrue(inspect.out().contains("model.layers.0.self_attn.q_proj.weight"));
        assertTrue(cli("inspect", base.toString()).out().contains("tensors,"));

        Path adapter = dir.resolve("op-lora-adapter");
        Run init = cli("init", "--model", base.toString(), "--method", "op-lora", "--rank", "2", "--principal-rank", "4",
                "--target", "q_proj,v_proj", "--out", adapter.toString());
        assertEquals(0, init.code(), init.err());
        assertTrue(Files.isRegularFile(adapter.resolve("adapter_model.safetensors")));
        assertTrue(Files.readString(adapter.resolve("adapter_config.json")).contains("\"oplora_init\" : \"op-lora\""));

        Path pissa = dir.resolve("pissa-adapter");
        assertEquals(0, cli("init", "--model", base.toString(), "--method", "pissa", "--rank", "2", "--out", pissa.toString()).code());
        assertTrue(Files.isRegularFile(dir.resolve("pissa-adapter-residual-base/model.safetensors")));

        Path merged = dir.resolve("merged");
        Run merge = cli("merge", "--model", base.toString(), "--adapter",
                demo.resolve("cells/lora__sft__addition__s1/adapter").toString(), "--out", merged.toString(), "--dtype", "bf16");
        assertEquals(0, merge.code(), merge.err());
        assertTrue(Files.readString(merged.resolve("config.json")).contains("bfloat16"));

        Run generate = cli("generate", "--model", base.toString(), "--prompt", "3+4=", "--greedy", "--max-new-tokens", "3");
        assertEquals(0, generate.code(), generate.err());
        assertTrue(generate.out().startsWith("3+4="), generate.out());
    }

    @Test
    void pretrainAndTrainCommands() throws Exception {
        Path config = dir.resolve("tiny-train.json");
        Files.writeString(config, "{\"tasks\": [\"addition\"], \"levels\": [1], \"per_device_train_batch_size\": 8,"
                + " \"num_generations\": 4, \"test_per_level\": 8, \"max_completion_length\": 4}");
        Path pre = dir.resolve("pre");
        Run pretrain = cli("pretrain", "--out", pre.toString(), "--config", config.toString(), "--steps", "5",
                "--hidden", "16", "--layers", "1", "--context", "16");
        assertEquals(0, pretrain.code(), pretrain.err());
        assertTrue(Files.isRegularFile(pre.resolve("model/model.safetensors")));
        Path tuned = dir.resolve("tuned");
        Run train = cli("train", "--model", pre.resolve("model").toString(), "--algo", "grpo", "--method", "sparse-magnitude-low",
                "--config", config.toString(), "--steps", "2", "--out", tuned.toString());
        assertEquals(0, train.code(), train.err());
        assertTrue(Files.isRegularFile(tuned.resolve("adapter/delta_config.json")));
        assertTrue(Files.readString(tuned.resolve("metrics.jsonl")).contains("\"reward\""));
    }

    @Test
    void badInputFailsClearly() throws Exception {
        Run missing = cli("inspect", dir.resolve("nope").toString());
        assertNotEquals(0, missing.code());
        assertTrue(missing.err().contains("no such file or folder"), missing.err());

        Run method = cli("train", "--model", base.toString(), "--method", "loha", "--out", dir.resolve("x").toString());
        assertNotEquals(0, method.code());
        assertTrue(method.err().contains("unknown method 'loha'"), method.err());
        assertFalse(Files.exists(dir.resolve("x/merged")));

        Path empty = dir.resolve("empty-grid.json");
        Files.writeString(empty, "{\"base\": \"" + base + "\", \"methods\": []}");
        Run grid = cli("grid", "--config", empty.toString(), "--out", dir.resolve("g").toString());
        assertNotEquals(0, grid.code());
        assertTrue(grid.err().contains("the grid would have no cell"), grid.err());
        assertFalse(Files.exists(dir.resolve("g")));

        Run report = cli("report", dir.resolve("g2").toString());
        assertNotEquals(0, report.code());
        assertTrue(report.err().contains("no cell results"), report.err());

        Run init = cli("init", "--model", base.toString(), "--method", "op-lora", "--rank", "0", "--out", dir.resolve("i").toString());
        assertNotEquals(0, init.code());
        assertTrue(init.err().contains("'r' must be positive"), init.err());
    }

    @Test
    void typedFlagsAreNamedAndEveryMethodIsInTheHelp() {
        Run device = cli("train", "--model", base.toString(), "--device", "gpu", "--out", dir.resolve("d").toString());
        assertNotEquals(0, device.code());
        assertTrue(device.err().contains("--device") && device.err().contains("must be cpu, cuda or cuda:N"), device.err());
        Run algo = cli("train", "--model", base.toString(), "--algo", "ppo", "--out", dir.resolve("d").toString());
        assertTrue(algo.err().contains("--algo") && algo.err().contains("must be one of [sft, grpo]"), algo.err());
        String help = cli("train", "--help").out().replaceAll("\\s+", " ");
        for (String method : dev.oplora.adapters.config.Method.names()) {
            assertTrue(help.contains(method), method + " in train --help: " + help);
        }
        Run sparse = cli("init", "--model", base.toString(), "--method", "sparse-random", "--rank", "2",
                "--out", dir.resolve("s").toString());
        assertTrue(sparse.err().contains("--method must be a low-rank method"), sparse.err());
    }

    @Test
    void benchPassesEveryArgumentToJmh() {
        var parsed = Main.commandLine().parseArgs("bench", "ProjectionBenchmark", "-p", "shape=4096x4096", "-p", "k=64",
                "-f", "1", "-wi", "2");
        BenchCommand bench = (BenchCommand) parsed.subcommand().commandSpec().userObject();
        assertEquals(List.of("ProjectionBenchmark", "-p", "shape=4096x4096", "-p", "k=64", "-f", "1", "-wi", "2"), bench.args);
    }

    /**
     * A model config.json oplora cannot honour fails with exit code 2 and one line naming the file,
     * the field and its value, and nothing is written.
     */
    @Test
    void unsupportedModelConfigsAreRefusedByName() throws Exception {
        ObjectMapper json = new ObjectMapper();
        String[][] cases = {
            {"rope_scaling", "{\"rope_type\": \"yarn\", \"factor\": 4.0}", "model config field 'rope_scaling.rope_type' \"yarn\" is not implemented"},
            {"hidden_act", "\"gelu_pytorch_tanh\"", "model config field 'hidden_act' \"gelu_pytorch_tanh\" is not implemented"},
            {"use_sliding_window", "true", "model config field 'use_sliding_window' true is not implemented"},
            {"partial_rotary_factor", "0.5", "model config field 'partial_rotary_factor' 0.5 is not implemented"},
            {"quantization_config", "{\"quant_method\": \"awq\"}", "model config field 'quantization_config' is not understood"},
            {"attention_dropout", "0.1", "model config field 'attention_dropout' = 0.1 is not implemented"},
        };
        for (String[] c : cases) {
            Path bad = dir.resolve("bad-" + c[0]);
            Files.createDirectories(bad);
            for (String file : List.of("model.safetensors", "tokenizer.json")) {
                Files.copy(base.resolve(file), bad.resolve(file), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            var config = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(base.resolve("config.json").toFile());
            config.set(c[0], json.readTree(c[1]));
            Files.writeString(bad.resolve("config.json"), config.toString());
            Path out = dir.resolve("out-" + c[0]);
            Run merge = cli("merge", "--model", bad.toString(), "--adapter",
                    demo.resolve("cells/lora__sft__addition__s1/adapter").toString(), "--out", out.toString());
            assertEquals(2, merge.code(), c[0]);
            assertEquals(1, merge.err().strip().lines().count(), merge.err());
            assertTrue(merge.err().contains(bad.resolve("config.json") + ": " + c[2]), merge.err());
            assertFalse(Files.exists(out), "nothing written for " + c[0]);
            Run init = cli("init", "--model", bad.toString(), "--method", "pissa", "--rank", "2", "--out", out.toString());
            assertEquals(2, init.code(), c[0]);
            assertFalse(Files.exists(out) || Files.exists(dir.resolve("out-" + c[0] + "-residual-base")), "nothing written");
        }
    }

    /**
     * generate --chat renders the folder's chat template (with --system and --chat-var) and
     * reports the rendered prompt; a folder without one is refused by name.
     */
    @Test
    void generateWithTheChatTemplate() throws Exception {
        Run none = cli("generate", "--model", base.toString(), "--prompt", "3+4", "--chat");
        assertEquals(2, none.code());
        assertTrue(none.err().contains(base + ": no chat template"), none.err());
        Path chat = dir.resolve("chat-base");
        Files.createDirectories(chat);
        try (var files = Files.list(base)) {
            for (Path f : files.toList()) {
                Files.copy(f, chat.resolve(f.getFileName()));
            }
        }
        Files.writeString(chat.resolve("chat_template.jinja"), "{%- for m in messages %}{{ m.content }}{% endfor -%}\n"
                + "{%- if add_generation_prompt %}{{ end }}{% endif %}\n");
        Run run = cli("generate", "--model", chat.toString(), "--prompt", "3+", "--chat", "--system", "1", "--chat-var", "end=4=",
                "--greedy", "--max-new-tokens", "2", "--json");
        assertEquals(0, run.code(), run.err());
        JsonNode out = new ObjectMapper().readTree(run.out());
        assertEquals("13+4=", out.get("prompt_text").asText());
        Run plain = cli("generate", "--model", chat.toString(), "--prompt", "13+4=", "--greedy", "--max-new-tokens", "2", "--json");
        JsonNode plainOut = new ObjectMapper().readTree(plain.out());
        // The char tokenizer's prompt encoding adds BOS; a chat template writes its own special tokens.
        assertEquals(plainOut.get("prompt_ids").size() - 1, out.get("prompt_ids").size());
        assertFalse(plainOut.has("prompt_text"));
        // A whole conversation from a file, and tools, reach the template as transformers passes them.
        Files.writeString(chat.resolve("chat_template.jinja"), "{%- for m in messages %}{{ m.content }}{% endfor -%}"
                + "{{ tools | length if tools is defined else 'none' }}");
        Path messages = dir.resolve("conversation.json");
        Files.writeString(messages, "[{\"role\": \"user\", \"content\": \"1\"}, {\"role\": \"assistant\", \"content\": \"2+\"}]");
        Path tools = dir.resolve("tools.json");
        Files.writeString(tools, "[{\"type\": \"function\", \"function\": {\"name\": \"add\"}}]");
        Run conversation = cli("generate", "--model", chat.toString(), "--messages", messages.toString(), "--tools", tools.toString(),
                "--greedy", "--max-new-tokens", "1", "--json");
        assertEquals(0, conversation.code(), conversation.err());
        assertEquals("12+1", new ObjectMapper().readTree(conversation.out()).get("prompt_text").asText());
        Files.writeString(messages, "[{\"content\": \"no role\"}]");
        Run bad = cli("generate", "--model", chat.toString(), "--messages", messages.toString());
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains(messages + ": messages[0] has no string 'role'"), bad.err());
        assertEquals(2, cli("generate", "--model", chat.toString(), "--greedy").code(), "neither --prompt nor --messages");
    }

    /** init --method dora / op-dora writes PEFT folders with use_dora and a magnitude vector per module. */
    @Test
    void initWritesDoraFolders() throws Exception {
        for (String method : List.of("dora", "op-dora")) {
            Path out = dir.resolve("init-" + method);
            Run init = cli("init", "--model", base.toString(), "--method", method, "--rank", "2", "--principal-rank", "4",
                    "--out", out.toString());
            assertEquals(0, init.code(), init.err());
            assertTrue(new ObjectMapper().readTree(out.resolve("adapter_config.json").toFile()).path("use_dora").asBoolean());
            try (var file = dev.oplora.safetensors.SafetensorsFile.open(out.resolve("adapter_model.safetensors"))) {
                var magnitude = file.info("base_model.model.model.layers.0.self_attn.q_proj.lora_magnitude_vector");
                var lora = file.info("base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight");
                assertEquals(lora.shape()[0], magnitude.shape()[0], "one magnitude per output row");
                long modules = file.tensors().stream().filter(t -> t.name().endsWith("lora_A.weight")).count();
                assertEquals(3 * modules, file.tensors().size(), "lora_A, lora_B and lora_magnitude_vector per module");
            }
        }
    }
}
