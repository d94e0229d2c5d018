package io.distill4j.data.features;

import java.util.Arrays;

/**
 * Direction labels from the forward log return {@code r_i = ln(close[i+h] / close[i])} over a horizon of {@code h}
 * bars: {@link #SELL} ({@code 0}) if {@code r < -t}, {@link #BUY} ({@code 2}) if {@code r > t}, otherwise
 * {@link #HOLD} ({@code 1}).
 */
public final class Labels {
    /** Class 0: the price falls by more than the threshold. */
    public static final int SELL = 0;
    /** Class 1: the price moves by at most the threshold. */
    public static final int HOLD = 1;
    /** Class 2: the price rises by more than the threshold. */
    public static final int BUY = 2;
    /** Class names, indexed by class. */
    public static final java.util.List<String> NAMES = java.util.List.of("sell", "hold", "buy");
    /** Number of classes. */
    public static final int NUM_CLASSES = 3;

    private Labels() {
    }

    /** {@code ln(close[i + h] / close[i])}. */
    public static double forwardReturn(double[] close, int i, int h) {
        return Math.log(close[i + h] / close[i]);
    }

    /** The class of forward return {@code r} under threshold {@code t}. */
    public static int classify(double r, double t) {
        return r > t ? BUY : r < -t ? SELL : HOLD;
    }

    /**
     * The {@code auto} threshold: the 1/3 quantile of {@code |r|} over {@code trainReturns}, so that about one third
     * of them are {@link #HOLD} ({@code k = round(n / 3)} smallest, the threshold half-way between the k-th and
     * (k+1)-th smallest {@code |r|}).
     */
    public static double autoThreshold(double[] trainReturns) {
        int n = trainReturns.length;
        if (n < 3) {
            throw new IllegalArgumentException("need at least 3 training samples for an auto threshold, got " + n);
        }
        double[] a = new double[n];
        for (int i = 0; i < n; i++) {
            a[i] = Math.abs(trainReturns[i]);
        }
        Arrays.sort(a);
        int k = (int) Math.round(n / 3.0);
        return (a[k - 1] + a[k]) / 2;
    }
}
