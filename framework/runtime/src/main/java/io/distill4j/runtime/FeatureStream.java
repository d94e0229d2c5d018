package io.distill4j.runtime;

import java.util.List;

/**
 * The study's 12 features computed bar by bar, equal to the batch pipeline ({@code FeatureEngineer}) within
 * rounding: log returns over 1, 3, 5, 10, 20 bars, realised volatility over 10 and 20 bars (sample standard
 * deviation of one-bar log returns), close versus the 20-bar volume-weighted typical price, high-low range, close
 * versus its 20-bar mean, Wilder's RSI(14) scaled to {@code [-1, 1]}, log volume versus its 20-bar mean (definitions
 * in the README, "Features and labels").
 *
 * <p>Each bar costs O(1): windowed sums are updated by adding the new bar and subtracting the one that leaves, and
 * recomputed exactly from the ring buffer once every 20 bars, so rounding cannot drift. A bar whose open time is not
 * exactly one interval after the previous bar's starts a new run (as the batch pipeline's contiguity does): a row
 * is defined once 20 earlier bars of the same run exist. Allocates nothing per bar; not thread-safe.
 */
public final class FeatureStream implements BarFeatures {
    /** The features this stream computes, in column order (the names a model file must list). */
    public static final List<String> NAMES = List.of("ret_1", "ret_3", "ret_5", "ret_10", "ret_20",
            "realised_vol_10", "realised_vol_20", "vwap_change_20", "hl_range", "sma_ratio_20", "rsi_14",
            "log_volume_ratio_20");
    /** Earlier bars of the same run a row needs. */
    public static final int WARMUP = 20;
    private static final int W = 20;
    private static final int RING = 32; // > WARMUP, power of two
    private static final int MASK = RING - 1;
    private static final int RSI = 14;

    private final long intervalMs;
    private final double[] close = new double[RING];
    private final double[] ret = new double[RING];
    private final double[] tp = new double[RING];
    private final double[] vol = new double[RING];
    private long lastTime;
    private long count; // bars of the current run
    private double sumR10;
    private double sqR10;
    private double sumR20;
    private double sqR20;
    private double sumPv;
    private double sumV;
    private double sumTp;
    private double sumC;
    private int volumeBars; // bars with volume > 0 in the 20-bar window
    private double avgGain;
    private double avgLoss;

    /** @param intervalMs the bar interval of the training data; any other step between bars is a gap */
    public FeatureStream(long intervalMs) {
        if (intervalMs <= 0) {
            throw new IllegalArgumentException("interval must be > 0 ms, got " + intervalMs);
        }
        this.intervalMs = intervalMs;
    }

    /** {@inheritDoc} The default set reads no extra columns: {@code columns} is ignored. */
    @Override
    public boolean update(long openTimeMs, double open, double high, double low, double close, double volume,
            double[] columns, double[] features) {
        return update(openTimeMs, open, high, low, close, volume, features);
    }

    public long intervalMs() {
        return intervalMs;
    }

    /** Forgets every bar: the next bar starts a new run. */
    @Override
    public void reset() {
        count = 0;
    }

    /** Bars of the current contiguous run seen so far. */
    @Override
    public long runLength() {
        return count;
    }

    /**
     * Takes the next bar.
     *
     * @param openTimeMs the bar's open time
     * @param open the open price (no feature uses it today)
     * @param features receives the 12 raw (not standardised) features when the result is {@code true}
     * @return whether the bar's feature row is defined (20 earlier bars of its run exist)
     */
    public boolean update(long openTimeMs, double open, double high, double low, double close, double volume,
            double[] features) {
        if (count > 0 && openTimeMs - lastTime != intervalMs) {
            count = 0;
        }
        lastTime = openTimeMs;
        int i = (int) (count & MASK);
        this.close[i] = close;
        tp[i] = (high + low + close) / 3;
        vol[i] = volume;
        if (count == 0) {
            avgGain = 0;
            avgLoss = 0;
            sumR10 = sqR10 = sumR20 = sqR20 = 0;
            sumPv = sumV = sumTp = sumC = 0;
            volumeBars = 0;
        } else {
            double prev = this.close[(i - 1) & MASK];
            double d = close - prev;
            double gain = Math.max(d, 0);
            double loss = Math.max(-d, 0);
            avgGain = wilderAverage(avgGain, gain, count);
            avgLoss = wilderAverage(avgLoss, loss, count);
            double r = Math.log(close / prev);
            ret[i] = r;
            sumR10 += r;
            sqR10 += r * r;
            sumR20 += r;
            sqR20 += r * r;
            if (count > 10) {
                double out = ret[(i - 10) & MASK];
                sumR10 -= out;
                sqR10 -= out * out;
            }
            if (count > 20) {
                double out = ret[(i - 20) & MASK];
                sumR20 -= out;
                sqR20 -= out * out;
            }
        }
        sumPv += tp[i] * volume;
        sumV += volume;
        sumTp += tp[i];
        sumC += close;
        volumeBars += volume > 0 ? 1 : 0;
        if (count >= W) {
            int out = (i - W) & MASK;
            sumPv -= tp[out] * vol[out];
            sumV -= vol[out];
            sumTp -= tp[out];
            sumC -= this.close[out];
            volumeBars -= vol[out] > 0 ? 1 : 0;
        }
        count++;
        if (count % W == 0) {
            resum(i);
        }
        if (count <= WARMUP) {
            return false;
        }
        features[0] = Math.log(close / this.close[(i - 1) & MASK]);
        features[1] = Math.log(close / this.close[(i - 3) & MASK]);
        features[2] = Math.log(close / this.close[(i - 5) & MASK]);
        features[3] = Math.log(close / this.close[(i - 10) & MASK]);
        features[4] = Math.log(close / this.close[(i - 20) & MASK]);
        features[5] = volatility(sumR10, sqR10, 10);
        features[6] = volatility(sumR20, sqR20, 20);
        double v20 = volumeBars > 0 ? sumV : 0;
        double vwap = volumeBars > 0 ? sumPv / sumV : sumTp / W;
        features[7] = close / vwap - 1;
        features[8] = (high - low) / close;
        features[9] = close / (sumC / W) - 1;
        features[10] = rsiFeature(avgGain, avgLoss);
        features[11] = logVolumeRatio(volume, v20 / W);
        return true;
    }

    /** Recomputes every windowed sum from the ring buffer (bar {@code i} the newest), in the batch code's order. */
    private void resum(int i) {
        sumR10 = sqR10 = sumR20 = sqR20 = 0;
        long returns = count - 1; // one-bar returns in this run
        for (int k = (int) Math.min(20, returns) - 1; k >= 0; k--) {
            double r = ret[(i - k) & MASK];
            sumR20 += r;
            sqR20 += r * r;
            if (k < 10) {
                sumR10 += r;
                sqR10 += r * r;
            }
        }
        sumPv = sumV = sumTp = sumC = 0;
        volumeBars = 0;
        for (int k = (int) Math.min(W, count) - 1; k >= 0; k--) {
            int j = (i - k) & MASK;
            sumPv += tp[j] * vol[j];
            sumV += vol[j];
            sumTp += tp[j];
            sumC += close[j];
            volumeBars += vol[j] > 0 ? 1 : 0;
        }
    }

    /**
     * One step of Wilder's average of gains (or losses) over 14 changes: the plain mean of a run's first 14 changes,
     * then {@code (13 avg + x) / 14}. The batch pipeline uses the same step.
     *
     * @param change the number of this change within its run (1 for the run's first)
     */
    public static double wilderAverage(double avg, double x, long change) {
        return wilderAverage(avg, x, change, RSI);
    }

    /** {@link #wilderAverage(double, double, long)} over {@code n} changes (declared {@code rsi(n)} features). */
    public static double wilderAverage(double avg, double x, long change, int n) {
        return change <= n ? avg + x / n : (avg * (n - 1) + x) / n;
    }

    /**
     * Wilder's RSI from the average gain and loss, scaled to {@code [-1, 1]} as {@code rsi / 50 - 1}: RSI is 100 when
     * there are no losses and 50 when there is no change at all. The batch pipeline uses the same formula.
     */
    public static double rsiFeature(double avgGain, double avgLoss) {
        double rsi;
        if (avgLoss == 0) {
            rsi = avgGain == 0 ? 50 : 100;
        } else {
            rsi = 100 - 100 / (1 + avgGain / avgLoss);
        }
        return rsi / 50 - 1;
    }

    /**
     * {@code ln((v + e) / (m + e))} with {@code e = 0.01 m + 1e-12}, {@code m} the window's mean volume, so that a
     * zero-volume bar gives a finite value. The batch pipeline uses the same formula.
     */
    public static double logVolumeRatio(double volume, double meanVolume) {
        double e = 0.01 * meanVolume + 1e-12;
        return Math.log((volume + e) / (meanVolume + e));
    }

    /** Sample standard deviation of {@code k} values from their sum and sum of squares. */
    private static double volatility(double sum, double sumSquares, int k) {
        double var = (sumSquares - sum * sum / k) / (k - 1);
        return Math.sqrt(Math.max(var, 0));
    }
}
