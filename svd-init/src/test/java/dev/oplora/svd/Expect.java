package dev.oplora.svd;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.function.Executable;

/** Assertions on error messages: bad input must be named in the text a user sees. */
public final class Expect {

    private Expect() {
    }

    /** The call throws IllegalArgumentException whose message contains {@code expected}. */
    public static IllegalArgumentException assertMessage(Executable call, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(expected), "message '" + e.getMessage() + "' lacks '" + expected + "'");
        return e;
    }
}
