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
        return record(call, warmup, calls, overheadNs, Long.MAX_VALUE);
    }

    /**
     * Times at most {@code calls} calls after at most {@code warmup} untimed ones, stopping the warm-up after a tenth
     * of {@code budgetNs} and the timed calls after {@code budgetNs} of wall time (for slow calls such as DL4J's);
     * the histogram's {@code getTotalCount()} says how many calls were timed (at least one).
     *
     * @param overheadNs subtracted from every recorded time
     * @param budgetNs wall time allowed for the timed calls ({@code Long.MAX_VALUE}: no limit)
     */
    public static Histogram record(Call call, long warmup, long calls, long overheadNs, long budgetNs) {
        long keep = 0;
        long start = System.nanoTime();
        long warmupBudget = budgetNs == Long.MAX_VALUE ? Long.MAX_VALUE : budgetNs / 10;
        for (long w = 0; w < warmup; w++) {
            keep += call.run((int) w);
            if ((w & 15) == 15 && System.nanoTime() - start > warmupBudget) {
                break;
            }
        }
        Histogram h = new Histogram(1, 10_000_000_000L, 3);
        start = System.nanoTime();
        for (long c = 0; c < calls; c++) {
            long t0 = System.nanoTime();
            keep += call.run((int) c);
            long t1 = System.nanoTime();
            h.recordValue(Math.max(1, t1 - t0 - overheadNs));
            if (t1 - start > budgetNs) {
                break;
            }
        }
        sink += keep;
        return h;
    }
}
