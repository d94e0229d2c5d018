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

    private static int[] range(int from, int to) {
        int[] r = new int[Math.max(0, to - from)];
        Arrays.setAll(r, k -> from + k);
        return r;
    }
}
