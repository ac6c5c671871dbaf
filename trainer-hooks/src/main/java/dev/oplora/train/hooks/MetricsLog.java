package dev.oplora.train.hooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.oplora.files.AtomicFiles;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.oplora.train.TrainerHook;
import dev.oplora.train.TrainerState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/**
 * Appends each logged and each evaluated metric set as one JSON line: {"step": N, ...}. A run
 * that starts at step 0 starts a new file; a resumed run first cuts the file back to the lines of
 * the checkpoint's step and before (a killed run may have written later lines, or half a line).
 */
public final class MetricsLog implements TrainerHook {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path file;

    public MetricsLog(Path file) {
        this.file = file;
    }

    @Override
    public void onStart(TrainerState state) {
        if (state.step() == 0) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start a new " + file, e);
            }
        }
    }

    @Override
    public void restoreState(TrainerState state, Path checkpoint) throws IOException {
        if (!Files.isRegularFile(file)) {
            return;
        }
        StringBuilder kept = new StringBuilder();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            JsonNode node;
            try {
                node = JSON.readTree(line);
            } catch (IOException e) {
                continue; // half a line from a killed write
            }
            if (node != null && node.path("step").canConvertToInt() && node.path("step").asInt() <= state.step()) {
                kept.append(line).append('\n');
            }
        }
        AtomicFiles.writeString(file, kept.toString());
    }

    @Override
    public void onLog(TrainerState state, Map<String, Double> metrics) {
        append(state, metrics);
    }

    @Override
    public void onEval(TrainerState state, Map<String, Double> metrics) {
        append(state, metrics);
    }

    private void append(TrainerState state, Map<String, Double> metrics) {
        ObjectNode line = JSON.createObjectNode().put("step", state.step());
        metrics.forEach((k, v) -> {
            if (Double.isFinite(v)) {
                line.put(k, v);
            } else {
                line.putNull(k);
            }
        });
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to " + file, e);
        }
    }
}
