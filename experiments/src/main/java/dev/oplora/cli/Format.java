package dev.oplora.cli;

import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** How metrics are printed on the console. */
final class Format {

    private Format() {
    }

    static String metrics(Map<String, Double> metrics) {
        return metrics.entrySet().stream()
                .map(e -> e.getKey() + " " + String.format(Locale.ROOT, "%.4f", e.getValue()))
                .collect(Collectors.joining(", "));
    }
}
