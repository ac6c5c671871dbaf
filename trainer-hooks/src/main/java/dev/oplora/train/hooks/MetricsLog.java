package dev.oplora.train.hooks;

import com.fasterxml.jackson.databind.ObjectMapper;
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

/** Appends each logged and each evaluated metric set as one JSON line: {"step": N, ...}. */
public final class MetricsLog implements TrainerHook {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path file;

    public MetricsLog(Path file) {
        this.file = file;
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
