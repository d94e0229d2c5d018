package io.distill4j.data.bybit;

import io.distill4j.data.BybitInterval;

import io.distill4j.data.DataException;
import io.distill4j.data.KlineCsvWriter;
import io.distill4j.api.KlineSeries;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Keeps a kline CSV file (the {@link KlineCsvWriter} layout) up to date from Bybit, downloading only what it lacks.
 *
 * <p>{@link #update} reads the file if it exists, fetches the bars from {@code start} up to its first bar and from
 * its last bar up to {@code end} (whichever are missing; the ranges always join the cached bars, so no new gap is
 * made), merges, and rewrites the file atomically. Bars already cached are kept, even outside {@code [start, end]};
 * gaps inside the cached range are left as they are.
 */
public final class BybitKlineCache {

    /**
     * The outcome of an {@link #update}.
     *
     * @param series every bar now in the file, ascending; its source is the file path
     * @param fetchedBars how many bars were downloaded and added
     * @param written whether the file was (re)written: only when bars were added, so an empty download leaves
 *     no file behind
     */
    public record Result(KlineSeries series, int fetchedBars, boolean written) {
    }

    private final BybitKlineClient client;

    public BybitKlineCache(BybitKlineClient client) {
        this.client = Objects.requireNonNull(client, "client");
    }

    /**
     * Makes {@code csv} cover {@code [startMs, endMs]} (finished bars only), fetching just the missing head and tail.
     *
     * @throws DataException when the existing file is malformed or of another interval, or a download fails
     */
    public Result update(Path csv, BybitCategory category, String symbol, BybitInterval interval, long startMs,
            long endMs) {
        if (startMs > endMs) {
            throw new IllegalArgumentException("start " + startMs + " is after end " + endMs);
        }
        TreeMap<Long, double[]> bars = Files.exists(csv) ? read(csv) : new TreeMap<>();
        long step = interval.millis();
        if (bars.size() >= 2) {
            long cachedStep = readStep(bars);
            if (cachedStep != step) {
                throw new DataException(csv + ": holds bars " + cachedStep + " ms apart, not " + interval
                        + " (" + step + " ms); choose another --out file or interval");
            }
        }
        int fetched = 0;
        if (bars.isEmpty()) {
            fetched += merge(bars, client.fetch(category, symbol, interval, startMs, endMs));
        } else {
            long first = bars.firstKey();
            long last = bars.lastKey();
            if (startMs <= first - step) {
                fetched += merge(bars, client.fetch(category, symbol, interval, startMs, first - 1));
            }
            if (last + step <= endMs) {
                fetched += merge(bars, client.fetch(category, symbol, interval, last + 1, endMs));
            }
        }
        KlineSeries series = KlineSeries.fromBars(csv.toString(), bars);
        boolean write = fetched > 0; // nothing new: the file (if any) is already right
        if (write) {
            KlineCsvWriter.write(series, csv);
        }
        return new Result(series, fetched, write);
    }

    private static long readStep(TreeMap<Long, double[]> bars) {
        long[] t = bars.keySet().stream().mapToLong(Long::longValue).toArray();
        double[] z = new double[t.length];
        return new KlineSeries("cache", t, z, z, z, z, z, z).intervalMs();
    }

    private static int merge(TreeMap<Long, double[]> bars, KlineSeries s) {
        int added = 0;
        for (int i = 0; i < s.size(); i++) {
            double[] row = {s.open()[i], s.high()[i], s.low()[i], s.close()[i], s.volume()[i], s.turnover()[i]};
            if (bars.putIfAbsent(s.timeMs()[i], row) == null) {
                added++;
            }
        }
        return added;
    }


    /** Reads the cache layout: {@code timestamp_ms,open,high,low,close,volume[,turnover]}, ascending. */
    private static TreeMap<Long, double[]> read(Path csv) {
        TreeMap<Long, double[]> bars = new TreeMap<>();
        try (BufferedReader r = Files.newBufferedReader(csv, StandardCharsets.UTF_8)) {
            String header = r.readLine();
            if (header == null) {
                return bars;
            }
            header = header.strip();
            if (header.startsWith("\uFEFF")) {
                header = header.substring(1);
            }
            int cols;
            if (header.equals("timestamp_ms,open,high,low,close,volume")) {
                cols = 6;
            } else if (header.equals("timestamp_ms,open,high,low,close,volume,turnover")) {
                cols = 7;
            } else {
                throw new DataException(csv + ": line 1: expected the header "
                        + "timestamp_ms,open,high,low,close,volume[,turnover], got '" + header + "'");
            }
            String line;
            int lineNo = 1;
            long previous = Long.MIN_VALUE;
            while ((line = r.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                String[] f = line.split(",", -1);
                if (f.length != cols) {
                    throw new DataException(csv + ": line " + lineNo + ": expected " + cols + " fields, got "
                            + f.length);
                }
                long t;
                double[] row = new double[6];
                Arrays.fill(row, Double.NaN);
                try {
                    t = Long.parseLong(f[0].strip());
                    for (int k = 1; k < cols; k++) {
                        String v = f[k].strip();
                        if (k == 6 && v.isEmpty()) {
                            continue; // no turnover for this bar
                        }
                        row[k - 1] = Double.parseDouble(v);
                    }
                } catch (NumberFormatException e) {
                    throw new DataException(csv + ": line " + lineNo + ": not a number: " + e.getMessage());
                }
                if (t <= previous) {
                    throw new DataException(csv + ": line " + lineNo + ": timestamp " + t
                            + " is not after the previous row's " + previous);
                }
                previous = t;
                bars.put(t, row);
            }
        } catch (IOException e) {
            throw new DataException("cannot read kline cache " + csv + ": " + e, e);
        }
        return bars;
    }
}
