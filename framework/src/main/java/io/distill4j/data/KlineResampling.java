package io.distill4j.data;

import io.distill4j.api.KlineSeries;
import java.util.Arrays;

/**
 * Aggregation of klines into coarser bars (1-minute bars into 5-minute bars), the way exchanges build them: a coarse
 * bar opens at a multiple of its interval (in Unix ms) and takes the first open, the highest high, the lowest low,
 * the last close and the summed volume and turnover of the fine bars inside it. A coarse bar is made only when every
 * one of its fine bars is present, so a gap in the fine series is a gap in the coarse one (never a short bar).
 */
public final class KlineResampling {
    private KlineResampling() {
    }

    /**
     * The coarse bars of {@code fine} (ascending, bars {@code fineMs} apart where contiguous).
     *
     * @param coarseMs the coarse interval, a whole multiple (at least 2) of {@code fineMs}
     */
    public static KlineSeries aggregate(KlineSeries fine, long fineMs, long coarseMs) {
        if (fineMs <= 0 || coarseMs <= fineMs || coarseMs % fineMs != 0) {
            throw new IllegalArgumentException("coarse interval " + coarseMs + " ms is not a whole multiple (>= 2) of "
                    + fineMs + " ms");
        }
        int per = (int) (coarseMs / fineMs);
        long[] t = fine.timeMs();
        int n = fine.size();
        int cap = n / per + 1;
        long[] time = new long[cap];
        double[][] c = new double[6][cap];
        int out = 0;
        int i = 0;
        while (i < n) {
            long bucket = Math.floorDiv(t[i], coarseMs) * coarseMs;
            int j = i;
            while (j < n && Math.floorDiv(t[j], coarseMs) * coarseMs == bucket) {
                j++;
            }
            if (j - i == per && t[i] == bucket) { // all fine bars of the bucket, the first at its open
                time[out] = bucket;
                c[0][out] = fine.open()[i];
                c[1][out] = Double.NEGATIVE_INFINITY;
                c[2][out] = Double.POSITIVE_INFINITY;
                for (int k = i; k < j; k++) {
                    c[1][out] = Math.max(c[1][out], fine.high()[k]);
                    c[2][out] = Math.min(c[2][out], fine.low()[k]);
                    c[4][out] += fine.volume()[k];
                    c[5][out] += fine.turnover()[k];
                }
                c[3][out] = fine.close()[j - 1];
                out++;
            }
            i = j;
        }
        return new KlineSeries(fine.source() + " resampled to " + coarseMs / 60_000 + "m",
                Arrays.copyOf(time, out), Arrays.copyOf(c[0], out), Arrays.copyOf(c[1], out),
                Arrays.copyOf(c[2], out), Arrays.copyOf(c[3], out), Arrays.copyOf(c[4], out),
                Arrays.copyOf(c[5], out));
    }

    /** The bars of {@code series} whose open time {@code window} contains. */
    public static KlineSeries restrict(KlineSeries series, DataConfig.Window window) {
        long[] t = series.timeMs();
        int from = 0;
        while (from < t.length && window.startMs().isPresent() && t[from] < window.startMs().getAsLong()) {
            from++;
        }
        int to = from;
        while (to < t.length && (window.endMs().isEmpty() || t[to] < window.endMs().getAsLong())) {
            to++;
        }
        return from == 0 && to == t.length ? series : series.slice(from, to);
    }
}
