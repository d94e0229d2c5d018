package io.distill4j.cli;

import io.distill4j.Distill4jException;
import io.distill4j.api.KlineSeries;
import io.distill4j.data.bybit.BybitCategory;
import io.distill4j.data.BybitInterval;
import io.distill4j.data.bybit.BybitKlineCache;
import io.distill4j.data.bybit.BybitKlineClient;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code distill4j data fetch}: downloads Bybit v5 klines into the project's kline CSV, fetching only the bars the
 * file does not hold yet. Prints one line: rows in the file, their range, and the file.
 */
@Command(name = "fetch", mixinStandardHelpOptions = true,
        description = {"Download Bybit v5 klines (finished bars only) into a kline CSV.",
            "An existing file is kept and only the missing bars before its first and after its last bar are "
                + "fetched."})
public final class DataFetchCommand implements Callable<Integer> {

    private static final Pattern SYMBOL = Pattern.compile("[A-Z0-9]{2,40}");
    private static final Pattern DIGITS = Pattern.compile("[0-9]+");

    @Spec
    CommandSpec spec;

    @Option(names = "--symbol", required = true, description = "Bybit symbol, e.g. BTCUSDT.")
    String symbol;

    @Option(names = "--category", defaultValue = "linear",
            description = "linear, inverse or spot (default: ${DEFAULT-VALUE}).")
    String category;

    @Option(names = "--interval", defaultValue = "5m",
            description = "1m,3m,5m,15m,30m,1h,2h,4h,6h,12h,1d,1w or Bybit's 1,3,5,...,720,D,W "
                    + "(default: ${DEFAULT-VALUE}).")
    String interval;

    @Option(names = "--start", required = true,
            description = "First bar: ISO date 2025-06-01, date-time 2025-06-01T12:00Z, or epoch ms (UTC).")
    String start;

    @Option(names = "--end", description = "Last bar, same forms as --start (default: now).")
    String end;

    @Option(names = "--out",
            description = "CSV file (default: results/data/bybit-<category>/<SYMBOL>-<interval>.csv).")
    Path out;

    @Option(names = "--base-url", defaultValue = "${env:DISTILL4J_BYBIT_URL:-" + BybitKlineClient.DEFAULT_BASE_URL
            + "}", description = "Bybit API root (default: env DISTILL4J_BYBIT_URL, else "
                    + BybitKlineClient.DEFAULT_BASE_URL + ").")
    String baseUrl;

    @Override
    public Integer call() {
        BybitCategory cat = BybitCategory.parse(category);
        BybitInterval iv = BybitInterval.parse(interval);
        String sym = symbol == null ? "" : symbol.trim().toUpperCase(Locale.ROOT);
        if (!SYMBOL.matcher(sym).matches()) {
            throw new Distill4jException("--symbol '" + symbol + "': expected letters and digits, e.g. BTCUSDT");
        }
        long startMs = parseTime("--start", start);
        long endMs = end == null || end.isBlank() ? System.currentTimeMillis() : parseTime("--end", end);
        if (startMs > endMs) {
            throw new Distill4jException("--start " + Instant.ofEpochMilli(startMs) + " is after --end "
                    + Instant.ofEpochMilli(endMs));
        }
        Path file = out != null ? out
                : Path.of("results", "data", "bybit-" + cat.apiName(), sym + "-" + iv.shortName() + ".csv");
        String url = baseUrl == null || baseUrl.isBlank() ? BybitKlineClient.DEFAULT_BASE_URL : baseUrl.trim();
        BybitKlineClient client;
        try {
            client = BybitKlineClient.builder().baseUrl(url).build();
        } catch (IllegalArgumentException e) {
            throw new Distill4jException("--base-url: " + e.getMessage());
        }

        BybitKlineCache.Result r = new BybitKlineCache(client).update(file, cat, sym, iv, startMs, endMs);
        KlineSeries s = r.series();
        if (s.size() == 0) {
            throw new Distill4jException("Bybit has no finished " + cat + " " + sym + " " + iv + " bars from "
                    + Instant.ofEpochMilli(startMs) + " to " + Instant.ofEpochMilli(endMs) + "; nothing written");
        }
        PrintWriter pw = spec != null ? spec.commandLine().getOut() : new PrintWriter(System.out, true);
        pw.println((r.written() ? "wrote " : "up to date, ") + s.size() + " rows (" + r.fetchedBars() + " new) "
                + Instant.ofEpochMilli(s.timeMs()[0]) + " .. " + Instant.ofEpochMilli(s.timeMs()[s.size() - 1])
                + " " + cat + " " + sym + " " + iv + (r.written() ? " to " : " in ") + file);
        pw.flush();
        return 0;
    }

    /** Reads an ISO date (UTC midnight), an ISO date-time (UTC unless it has an offset) or epoch milliseconds. */
    static long parseTime(String option, String text) {
        String t = text == null ? "" : text.trim();
        try {
            if (DIGITS.matcher(t).matches()) {
                long ms = Long.parseLong(t);
                if (ms < 100_000_000_000L) {
                    throw new Distill4jException(option + " " + t + ": looks like epoch seconds; give milliseconds"
                            + " (" + t + "000) or an ISO date");
                }
                return ms;
            }
            if (t.length() == 10) {
                return LocalDate.parse(t).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
            }
            try {
                return OffsetDateTime.parse(t).toInstant().toEpochMilli();
            } catch (DateTimeParseException e) {
                return LocalDateTime.parse(t).toInstant(ZoneOffset.UTC).toEpochMilli();
            }
        } catch (DateTimeParseException | NumberFormatException e) {
            throw new Distill4jException(option + " '" + text + "': expected an ISO date (2025-06-01), date-time"
                    + " (2025-06-01T12:00Z) or epoch milliseconds");
        }
    }
}
