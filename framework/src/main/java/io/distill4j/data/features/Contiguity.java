package io.distill4j.data.features;

import io.distill4j.api.KlineSeries;

/**
 * Where a kline series is contiguous: for each bar, the first bar of the run of bars that are exactly one interval
 * apart and contain it. Features, windows and labels only ever use bars of one run, so nothing bridges a gap.
 */
public final class Contiguity {
    private final long intervalMs;
    private final int[] runStart;

    private Contiguity(long intervalMs, int[] runStart) {
        this.intervalMs = intervalMs;
        this.runStart = runStart;
    }

    /** Runs of {@code series} where every step equals {@code intervalMs}. */
    public static Contiguity of(KlineSeries series, long intervalMs) {
        long[] t = series.timeMs();
        int[] start = new int[t.length];
        for (int i = 1; i < t.length; i++) {
            start[i] = t[i] - t[i - 1] == intervalMs ? start[i - 1] : i;
        }
        return new Contiguity(intervalMs, start);
    }

    /** Runs of {@code series} measured with its own (most common) interval. */
    public static Contiguity of(KlineSeries series) {
        return of(series, series.intervalMs());
    }

    public long intervalMs() {
        return intervalMs;
    }

    /** The index of the first bar of the run containing bar {@code i}. */
    public int runStart(int i) {
        return runStart[i];
    }

    /** Whether bars {@code from..to} (inclusive, {@code from >= 0}, {@code to < size}) lie in one run. */
    public boolean contiguous(int from, int to) {
        return from >= 0 && to < runStart.length && runStart[to] <= from;
    }

    public int size() {
        return runStart.length;
    }
}
