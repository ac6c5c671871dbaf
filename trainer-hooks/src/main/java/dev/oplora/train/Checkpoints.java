package dev.oplora.train;

import dev.oplora.files.AtomicFiles;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import com.fasterxml.jackson.databind.JsonNode;
import dev.oplora.safetensors.Dtype;
import dev.oplora.safetensors.SafetensorsFile;
import dev.oplora.safetensors.SafetensorsWriter;
import dev.oplora.safetensors.TensorInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Training checkpoints: {@code checkpoints/step-NNNNNN/} with the trainable parameters
 * ({@code trainable.safetensors}), the AdamW moments ({@code optimizer.safetensors}) and
 * {@code trainer_state.json} (step, RNG state, optimizer step count), plus what each
 * {@link CheckpointPart} saves (the GRPO rollout in use, hooks' references). Written into a temp
 * folder ({@code .step-*}), synced to disk, then renamed, so a {@code step-*} folder is always
 * complete; temp folders a killed run left behind are removed when the next run starts. Only the
 * newest {@code keep} stay.
 */
public final class Checkpoints {

    public static final String FOLDER = "checkpoints";

    private Checkpoints() {
    }

    /** Writes the state's checkpoint, with every part's state, and prunes old ones; returns its folder. */
    public static Path save(TrainerState s, int keep, List<? extends CheckpointPart> parts) throws IOException {
        Path root = s.outputDir.resolve(FOLDER);
        Files.createDirectories(root);
        Path target = root.resolve(String.format("step-%06d", s.step));
        Path temp = Files.createTempDirectory(root, ".step-");
        try {
            SafetensorsWriter params = new SafetensorsWriter().metadata("format", "pt");
            for (Map.Entry<String, Parameter> e : s.trainable.entrySet()) {
                NDArray a = e.getValue().getArray();
                params.add(e.getKey(), Dtype.F32, a.getShape().getShape(), a.toFloatArray());
            }
            params.write(temp.resolve("trainable.safetensors"));
            SafetensorsWriter moments = new SafetensorsWriter();
            for (Map.Entry<String, NDArray> e : s.optimizer.state().entrySet()) {
                moments.add(e.getKey(), Dtype.F32, e.getValue().getShape().getShape(), e.getValue().toFloatArray());
            }
            moments.write(temp.resolve("optimizer.safetensors"));
            Map<String, Object> state = new LinkedHashMap<>();
            state.put("step", s.step);
            state.put("rng_state", s.rng.state());
            state.put("optimizer_steps", s.optimizer.steps());
            state.put("last_evaluation", s.lastEvaluation);
            AtomicFiles.writeJson(temp.resolve("trainer_state.json"), state);
            for (CheckpointPart part : parts) {
                part.saveState(s, temp);
            }
            AtomicFiles.syncTree(temp);
            if (Files.exists(target)) {
                AtomicFiles.deleteTree(target);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            AtomicFiles.sync(root);
        } catch (IOException | RuntimeException e) {
            AtomicFiles.deleteTree(temp);
            throw e;
        }
        prune(root, keep);
        return target;
    }

    /** The newest complete checkpoint under {@code outputDir}, or null. */
    public static Path latest(Path outputDir) throws IOException {
        List<Path> all = list(outputDir.resolve(FOLDER));
        return all.isEmpty() ? null : all.get(all.size() - 1);
    }

    /** Removes the temp folders of saves that were killed before their rename. */
    public static void removeUnfinished(Path outputDir) throws IOException {
        Path root = outputDir.resolve(FOLDER);
        if (!Files.isDirectory(root)) {
            return;
        }
        try (Stream<Path> entries = Files.list(root)) {
            for (Path p : entries.filter(p -> p.getFileName().toString().startsWith(".step-")).toList()) {
                AtomicFiles.deleteTree(p);
            }
        }
    }

    /** Restores parameters, optimizer moments, RNG, step and every part from {@code checkpoint}. */
    public static void restore(TrainerState s, Path checkpoint, List<? extends CheckpointPart> parts) throws IOException {
        Path stateFile = checkpoint.resolve("trainer_state.json");
        JsonNode state = dev.oplora.config.ConfigFiles.readObject(stateFile, "trainer state");
        for (String field : List.of("step", "rng_state", "optimizer_steps")) {
            if (!state.path(field).canConvertToLong()) {
                throw new IllegalArgumentException(stateFile + ": trainer state field '" + field + "' is missing or not a number");
            }
        }
        try (SafetensorsFile params = SafetensorsFile.open(checkpoint.resolve("trainable.safetensors"))) {
            for (Map.Entry<String, Parameter> e : s.trainable.entrySet()) {
                NDArray a = e.getValue().getArray();
                TensorInfo info = params.info(e.getKey());
                if (!new Shape(info.shape()).equals(a.getShape())) {
                    throw new IllegalArgumentException(checkpoint + ": parameter '" + e.getKey() + "' has shape "
                            + new Shape(info.shape()) + " but the model's is " + a.getShape());
                }
                a.set(params.readFloats(e.getKey()));
            }
        }
        Map<String, NDArray> moments = new LinkedHashMap<>();
        try (SafetensorsFile file = SafetensorsFile.open(checkpoint.resolve("optimizer.safetensors"))) {
            for (TensorInfo t : file.tensors()) {
                moments.put(t.name(), dev.oplora.adapters.EngineBridge.owned(
                        s.model.manager().create(file.readFloats(t.name()), new Shape(t.shape()))));
            }
        }
        s.optimizer.restore(moments, state.get("optimizer_steps").asLong());
        s.rng.restore(state.get("rng_state").asLong());
        s.step = state.get("step").asInt();
        Map<String, Double> evaluation = new LinkedHashMap<>();
        state.path("last_evaluation").fields().forEachRemaining(e -> evaluation.put(e.getKey(), e.getValue().asDouble()));
        s.lastEvaluation = evaluation;
        for (CheckpointPart part : parts) {
            part.restoreState(s, checkpoint);
        }
    }

    private static List<Path> list(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(root)) {
            return entries.filter(p -> p.getFileName().toString().startsWith("step-")).sorted().toList();
        }
    }

    private static void prune(Path root, int keep) throws IOException {
        List<Path> all = list(root);
        for (int i = 0; i < all.size() - Math.max(1, keep); i++) {
            AtomicFiles.deleteTree(all.get(i));
        }
    }
}
