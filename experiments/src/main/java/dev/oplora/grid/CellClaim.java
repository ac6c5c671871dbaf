package dev.oplora.grid;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A cell's claim on a shared file system: {@code cells/NAME/.claim}, created atomically
 * (create-new), naming the process (and Slurm job) that runs the cell, removed when it ends. A
 * claim whose owner no longer runs (a killed task) is taken over, so a re-submit runs what is
 * missing and two live tasks never write one cell.
 */
final class CellClaim implements AutoCloseable {

    static final String FILE = ".claim";

    private final Path file;

    private CellClaim(Path file) {
        this.file = file;
    }

    /** The claim, or null when a live task holds it. */
    static CellClaim take(Path cell) throws IOException {
        Files.createDirectories(cell);
        Path file = cell.resolve(FILE);
        for (int attempt = 0; attempt < 2; attempt++) {
            try {
                Files.writeString(Files.createFile(file), owner());
                return new CellClaim(file);
            } catch (FileAlreadyExistsException e) {
                if (alive(Files.readString(file).strip())) {
                    return null;
                }
                Files.deleteIfExists(file); // the owner died without removing it
            }
        }
        return null;
    }

    /** "slurm JOB" inside a Slurm job, else "pid PID". */
    static String owner() {
        String job = System.getenv("SLURM_JOB_ID");
        return job != null ? "slurm " + job : "pid " + ProcessHandle.current().pid();
    }

    /** Whether the owner a claim names still runs. */
    static boolean alive(String owner) {
        String[] parts = owner.split(" ");
        if (parts.length != 2) {
            return false;
        }
        if (parts[0].equals("pid")) {
            Optional<ProcessHandle> process = ProcessHandle.of(Long.parseLong(parts[1]));
            return process.map(ProcessHandle::isAlive).orElse(false);
        }
        return Slurm.running(parts[1]);
    }

    @Override
    public void close() throws IOException {
        Files.deleteIfExists(file);
    }
}
