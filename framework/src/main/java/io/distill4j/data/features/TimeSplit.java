package io.distill4j.data.features;

import java.util.Arrays;

/**
 * A time-ordered split of samples into train, validation and test with a purge gap.
 *
 * <p>Given the bar indices of the valid samples in ascending order, the first {@code round(n * train)} samples are
 * train and the next {@code round(n * (train + validation)) - round(n * train)} are the validation candidates, the
 * rest test candidates. A validation (test) candidate is kept only when its bar is more than {@code gap} bars after
 * the last train (validation) sample's bar; the others are purged. So for any train sample at bar {@code a} and
 * validation sample at bar {@code b}, {@code b - a > gap}, and likewise between validation and test.
 *
 * @param train positions (into the sample array) of the train samples
 * @param validation positions of the validation samples
 * @param test positions of the test samples
 * @param purged number of samples dropped by the gaps
 */
public record TimeSplit(int[] train, int[] validation, int[] test, int purged) {

    /** Splits samples at ascending bar indices {@code sampleBars}. */
    public static TimeSplit of(int[] sampleBars, double trainFraction, double validationFraction, int gap) {
        int n = sampleBars.length;
        int cut1 = (int) Math.round(n * trainFraction);
        int cut2 = (int) Math.round(n * (trainFraction + validationFraction));
        int[] train = range(0, cut1);
        int lastTrainBar = cut1 > 0 ? sampleBars[cut1 - 1] : Integer.MIN_VALUE / 2;
        int v = cut1;
        while (v < cut2 && sampleBars[v] - lastTrainBar <= gap) {
            v++;
        }
        int[] validation = range(v, cut2);
        int lastValBar = cut2 > v ? sampleBars[cut2 - 1] : lastTrainBar;
        int t = cut2;
        while (t < n && sampleBars[t] - lastValBar <= gap) {
            t++;
        }
        int[] test = range(t, n);
        return new TimeSplit(train, validation, test, (v - cut1) + (t - cut2));
    }

    /**
     * Splits samples at ascending bar indices {@code sampleBars} by time: samples whose bar opens before
     * {@code validationStartMs} are train candidates, from {@code testStartMs} on test, the others validation
     * candidates. The purge gap is taken before each cut: a train (validation) candidate is kept only when its bar is
     * more than {@code gap} bars before the first validation (test) candidate's bar, so the guarantee of
     * {@link #of} holds ({@code b - a > gap} across parts) and no part reaches into the time of the next.
     *
     * @param timeMs the open time of every bar of the series {@code sampleBars} index into
     */
    public static TimeSplit atTimes(int[] sampleBars, long[] timeMs, long validationStartMs, long testStartMs,
            int gap) {
        if (testStartMs <= validationStartMs) {
            throw new IllegalArgumentException("test must start after validation");
        }
        int n = sampleBars.length;
        int cut1 = 0;
        while (cut1 < n && timeMs[sampleBars[cut1]] < validationStartMs) {
            cut1++;
        }
        int cut2 = cut1;
        while (cut2 < n && timeMs[sampleBars[cut2]] < testStartMs) {
            cut2++;
        }
        int v = cut2; // validation ends where it is more than gap bars before the first test sample
        while (cut2 < n && v > cut1 && sampleBars[cut2] - sampleBars[v - 1] <= gap) {
            v--;
        }
        int firstValBar = v > cut1 ? sampleBars[cut1] : (cut2 < n ? sampleBars[cut2] : Integer.MAX_VALUE / 2);
        int tr = cut1; // train ends where it is more than gap bars before the first validation (or test) sample
        while (tr > 0 && firstValBar - sampleBars[tr - 1] <= gap) {
            tr--;
        }
        return new TimeSplit(range(0, tr), range(cut1, v), range(cut2, n), (cut1 - tr) + (cut2 - v));
    }

    /**
     * Splits samples at ascending bar indices {@code sampleBars} by the bar ranges of a walk-forward window: a sample
     * is train, validation or test when its bar lies in that part's range; samples outside every range are not part
     * of the window (and not counted as purged: the window's gaps are part of its ranges).
     */
    public static TimeSplit inRanges(int[] sampleBars, RollingWindows.Window window) {
        return new TimeSplit(within(sampleBars, window.range("train")), within(sampleBars,
                window.range("validation")), within(sampleBars, window.range("test")), 0);
    }

    private static int[] within(int[] sampleBars, int[] range) {
        int from = 0;
        while (from < sampleBars.length && sampleBars[from] < range[0]) {
            from++;
        }
        int to = from;
        while (to < sampleBars.length && sampleBars[to] < range[1]) {
            to++;
        }
        return range(from, to);
    }

    private static int[] range(int from, int to) {
        int[] r = new int[Math.max(0, to - from)];
        Arrays.setAll(r, k -> from + k);
        return r;
    }
}
