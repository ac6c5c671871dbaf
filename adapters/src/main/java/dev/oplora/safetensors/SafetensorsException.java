package dev.oplora.safetensors;

import java.io.IOException;
import java.nio.file.Path;

/** A malformed or unreadable safetensors file; the message names the file and, where known, the tensor. */
public class SafetensorsException extends IOException {

    private static final long serialVersionUID = 1L;

    public SafetensorsException(Path file, String message) {
        super(file + ": " + message);
    }

    public SafetensorsException(Path file, String tensor, String message) {
        super(file + ": tensor '" + tensor + "': " + message);
    }

    public SafetensorsException(Path file, String message, Throwable cause) {
        super(file + ": " + message, cause);
    }
}
