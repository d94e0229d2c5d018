package io.distill4j.bench;

import org.HdrHistogram.Histogram;

/**
 * Single-call latency: each call is timed alone with {@code System.nanoTime()} and recorded in an HdrHistogram
 * (1 ns to 10 s, 3 significant digits). The timer's own cost is measured first, the same way around an empty call,
 * and its median is subtracted from every recording (clamped at 0), so the figures are the call's, not the clock's.
 */
public final class Latency {
    private static volatile long sink;

    private Latency() {
    }

    /** One measured call; {@code i} is the call's index (to pick the input). */
    @FunctionalInterface
    public interface Call {
        /** Runs the call and returns something derived from its result (kept, so nothing is optimised away). */
        long run(int i);
    }

    /** The median cost of a {@code nanoTime()} pair around an empty call, in ns. */
    public static long timerOverhead() {
        Call empty = i -> i;
        Histogram h = record(empty, 200_000, 1_000_000, 0);
        return h.getValueAtPercentile(50);
    }

    /**
     * Times {@code calls} calls after {@code warmup} untimed ones.
     *
     * @param overheadNs subtracted from every recorded time
     */
    public static Histogram record(Call call, long warmup, long calls, long overheadNs) {
        long keep = 0;
        for (long w = 0; w < warmup; w++) {
            keep += call.run((int) w);
        }
        Histogram h = new Histogram(1, 10_000_000_000L, 3);
        for (long c = 0; c < calls; c++) {
            long t0 = System.nanoTime();
            keep += call.run((int) c);
            long t1 = System.nanoTime();
            h.recordValue(Math.max(1, t1 - t0 - overheadNs));
        }
        sink += keep;
        return h;
    }
}
