package dev.oplora.model;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The largest weight file a saved folder may hold, as transformers' {@code max_shard_size}:
 * "5GB" (10^9 bytes per GB, the default), "500MB", "2GiB" (2^30), or a byte count. A tensor
 * larger than the limit gets a shard of its own.
 */
public record ShardSize(long bytes) {

    public static final ShardSize DEFAULT = new ShardSize(5_000_000_000L);

    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(|b|kb|mb|gb|tb|kib|mib|gib|tib)");

    public ShardSize {
        if (bytes <= 0) {
            throw new IllegalArgumentException("max shard size must be positive, got " + bytes + " bytes");
        }
    }

    public static ShardSize parse(String text) {
        Matcher m = SIZE.matcher(text == null ? "" : text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("max shard size '" + text + "': expected a number with B, KB, MB, GB "
                    + "(powers of 1000) or KiB, MiB, GiB (powers of 1024), e.g. 5GB");
        }
        double unit = switch (m.group(2)) {
            case "kb" -> 1e3;
            case "mb" -> 1e6;
            case "gb" -> 1e9;
            case "tb" -> 1e12;
            case "kib" -> 1024.0;
            case "mib" -> 1024.0 * 1024;
            case "gib" -> 1024.0 * 1024 * 1024;
            case "tib" -> 1024.0 * 1024 * 1024 * 1024;
            default -> 1;
        };
        return new ShardSize((long) (Double.parseDouble(m.group(1)) * unit));
    }
}
