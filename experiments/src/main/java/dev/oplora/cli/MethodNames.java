package dev.oplora.cli;

import dev.oplora.adapters.config.Method;
import java.util.Iterator;

/** The method names for picocli's help ({@code ${COMPLETION-CANDIDATES}}), from {@link Method#names()}. */
final class MethodNames implements Iterable<String> {

    @Override
    public Iterator<String> iterator() {
        return Method.names().iterator();
    }
}
