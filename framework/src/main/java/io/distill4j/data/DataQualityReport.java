package io.distill4j.data;

import io.distill4j.api.KlineSeries;

/**
 * What a loader found in a kline series besides errors: its size, spacing, gaps and zero-volume bars.
 *
 * <p>A gap is a step between consecutive bars larger than {@code intervalMs}; gaps are kept, never filled.
 *
 * @param rows number of bars
 * @param intervalMs the most common spacing between bars (see {@link KlineSeries#intervalMs()})
 * @param gaps number of steps larger than the interval
 * @param missingBars bars absent inside those gaps (a step of {@code k} intervals misses {@code k - 1} bars; a step
 *     that is not a multiple of the interval counts the whole intervals it spans, rounded down, minus one)
 * @param largestGapMs the largest step between consecutive bars that exceeds the interval, 0 when there is no gap
 * @param zeroVolumeBars bars whose volume is exactly 0 (kept)
 */
public record DataQualityReport(int rows, long intervalMs, int gaps, long missingBars, long largestGapMs,
        int zeroVolumeBars) {

    /** Measures {@code series}. */
    public static DataQualityReport of(KlineSeries series) {
        long interval = series.intervalMs();
        long[] t = series.timeMs();
        int gaps = 0;
        long missing = 0;
        long largest = 0;
        for (int i = 1; i < t.length; i++) {
            long step = t[i] - t[i - 1];
            if (step > interval) {
                gaps++;
                missing += Math.max(0, step / interval - 1);
                largest = Math.max(largest, step);
            }
        }
        int zero = 0;
        for (double v : series.volume()) {
            if (v == 0.0) {
                zero++;
            }
        }
        return new DataQualityReport(series.size(), interval, gaps, missing, largest, zero);
    }
}
