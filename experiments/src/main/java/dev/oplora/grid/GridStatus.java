package dev.oplora.grid;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where each cell of a run stands, from the run folder alone: {@code done} and {@code failed}
 * from result.json, {@code running} from a claim whose owner still runs (a process here, or a
 * Slurm job squeue still lists), {@code pending} otherwise.
 */
public final class GridStatus {

    private GridStatus() {
    }

    /** Cell name to state, in grid order. */
    public static Map<String, String> of(Path out) throws IOException {
        Map<String, String> states = new LinkedHashMap<>();
        for (GridConfig.Cell cell : GridRunner.config(out).cells()) {
            Path dir = out.resolve("cells").resolve(cell.name());
            Path result = dir.resolve(CellResult.FILE);
            Path claim = dir.resolve(CellClaim.FILE);
            String state;
            if (Files.isRegularFile(result)) {
                state = CellResult.read(result).ok() ? "done" : "failed";
            } else if (Files.isRegularFile(claim) && CellClaim.alive(Files.readString(claim).strip())) {
                state = "running";
            } else {
                state = "pending";
            }
            states.put(cell.name(), state);
        }
        return states;
    }

    /** One line of counts, then one line per cell. */
    public static String render(Map<String, String> states) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (String state : List.of("done", "failed", "running", "pending")) {
            counts.put(state, 0);
        }
        states.values().forEach(s -> counts.merge(s, 1, Integer::sum));
        StringBuilder out = new StringBuilder();
        counts.forEach((state, n) -> out.append(out.length() == 0 ? "" : ", ").append(n).append(' ').append(state));
        out.append(" of ").append(states.size()).append(" cells\n");
        states.forEach((cell, state) -> out.append(String.format("%-8s %s%n", state, cell)));
        return out.toString();
    }
}
