package io.distill4j.data;

import io.distill4j.Distill4jException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A Bybit v5 kline interval, with the project's short name ({@code 5m}, {@code 1h}, {@code 1d}) and Bybit's own
 * request value ({@code 5}, {@code 60}, {@code D}). Monthly bars ({@code M}) are not supported: they have no fixed
 * length.
 */
public enum BybitInterval {
    M1("1m", "1", 60_000L),
    M3("3m", "3", 3 * 60_000L),
    M5("5m", "5", 5 * 60_000L),
    M15("15m", "15", 15 * 60_000L),
    M30("30m", "30", 30 * 60_000L),
    H1("1h", "60", 3_600_000L),
    H2("2h", "120", 2 * 3_600_000L),
    H4("4h", "240", 4 * 3_600_000L),
    H6("6h", "360", 6 * 3_600_000L),
    H12("12h", "720", 12 * 3_600_000L),
    D1("1d", "D", 86_400_000L),
    W1("1w", "W", 7 * 86_400_000L);

    private final String shortName;
    private final String apiName;
    private final long millis;

    BybitInterval(String shortName, String apiName, long millis) {
        this.shortName = shortName;
        this.apiName = apiName;
        this.millis = millis;
    }

    /** The project's name, e.g. {@code 5m}, {@code 1h}, {@code 1d}; used in file names. */
    public String shortName() {
        return shortName;
    }

    /** Bybit's {@code interval} request value, e.g. {@code 5}, {@code 60}, {@code D}. */
    public String apiName() {
        return apiName;
    }

    /** The bar length in milliseconds. */
    public long millis() {
        return millis;
    }

    /** Whether {@code coarser}'s bars are a whole number (at least two) of this interval's bars. */
    public boolean divides(BybitInterval coarser) {
        return coarser.millis > millis && coarser.millis % millis == 0;
    }

    /** The interval whose bars are {@code millis} long, if there is one. */
    public static java.util.Optional<BybitInterval> ofMillis(long millis) {
        return Arrays.stream(values()).filter(i -> i.millis == millis).findFirst();
    }

    /** All short names, in order ({@code 1m, 3m, ..., 1w}). */
    public static java.util.List<String> shortNames() {
        return Arrays.stream(values()).map(BybitInterval::shortName).toList();
    }

    /**
     * Reads a short name ({@code 1m ... 1w}, case-insensitive) or a Bybit value ({@code 1, 3, ..., 720, D, W}).
     *
     * @throws Distill4jException naming the accepted values when {@code text} is none of them
     */
    public static BybitInterval parse(String text) {
        String t = text == null ? "" : text.trim();
        for (BybitInterval i : values()) {
            if (i.shortName.equalsIgnoreCase(t) || i.apiName.equals(t.toUpperCase(Locale.ROOT))) {
                return i;
            }
        }
        throw new Distill4jException("unknown Bybit interval '" + text + "': expected one of "
                + String.join(",", shortNames())
                + " or Bybit's own " + Arrays.stream(values()).map(BybitInterval::apiName)
                        .collect(Collectors.joining(",")) + " (monthly bars are not supported)");
    }

    @Override
    public String toString() {
        return shortName;
    }
}
