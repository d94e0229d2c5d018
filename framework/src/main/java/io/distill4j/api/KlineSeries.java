package io.distill4j.api;

import java.util.Arrays;
import java.util.Objects;

/**
 * A time-ordered series of candlesticks (klines) in columnar form.
 *
 * <p>{@code timeMs[i]} is the bar's open time in Unix milliseconds (UTC). {@code turnover} is {@code NaN} where the
 * source has none. Rows are ascending and unique in time; gaps (missing bars) may exist and are kept, never filled.
 *
 * @param source where the bars came from, for messages and provenance (a file path, {@code bybit:linear:BTCUSDT:5},
 *     {@code synthetic(seed=7)})
 */
public record KlineSeries(
        String source,
        long[] timeMs,
        double[] open,
        double[] high,
        double[] low,
        double[] close,
        double[] volume,
        double[] turnover) {

    public KlineSeries {
        Objects.requireNonNull(source, "source");
        int n = timeMs.length;
        if (open.length != n || high.length != n || low.length != n || close.length != n || volume.length != n
                || turnover.length != n) {
            throw new IllegalArgumentException("all columns must have " + n + " rows");
        }
    }

    public int size() {
        return timeMs.length;
    }

    /** The most common spacing between consecutive bars, in ms (0 for fewer than two bars). */
    public long intervalMs() {
        if (size() < 2) {
            return 0;
        }
        long[] d = new long[size() - 1];
        for (int i = 1; i < size(); i++) {
            d[i - 1] = timeMs[i] - timeMs[i - 1];
        }
        Arrays.sort(d);
        long best = d[0];
        int bestCount = 0;
        for (int i = 0; i < d.length; ) {
            int j = i;
            while (j < d.length && d[j] == d[i]) {
                j++;
            }
            if (j - i > bestCount) {
                bestCount = j - i;
                best = d[i];
            }
            i = j;
        }
        return best;
    }

    /**
     * A series from bars keyed by open time, each {@code [open, high, low, close, volume, turnover]} (ascending by
     * construction of the map; used by the exchange client and its cache when they merge pages).
     */
    public static KlineSeries fromBars(String source, java.util.SortedMap<Long, double[]> bars) {
        int n = bars.size();
        long[] t = new long[n];
        double[][] c = new double[6][n];
        int i = 0;
        for (java.util.Map.Entry<Long, double[]> e : bars.entrySet()) {
            t[i] = e.getKey();
            for (int k = 0; k < 6; k++) {
                c[k][i] = e.getValue()[k];
            }
            i++;
        }
        return new KlineSeries(source, t, c[0], c[1], c[2], c[3], c[4], c[5]);
    }

    /** Rows {@code [from, to)} as a new series. */
    public KlineSeries slice(int from, int to) {
        return new KlineSeries(source, Arrays.copyOfRange(timeMs, from, to), Arrays.copyOfRange(open, from, to),
                Arrays.copyOfRange(high, from, to), Arrays.copyOfRange(low, from, to),
                Arrays.copyOfRange(close, from, to), Arrays.copyOfRange(volume, from, to),
                Arrays.copyOfRange(turnover, from, to));
    }
}
