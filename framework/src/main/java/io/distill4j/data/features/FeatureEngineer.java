package io.distill4j.data.features;

import io.distill4j.api.KlineSeries;
import io.distill4j.runtime.BarFeatures;
import io.distill4j.runtime.FeatureSet;
import io.distill4j.runtime.FeatureStream;
import java.util.Arrays;
import java.util.List;

/**
 * The project's 12 hand-made features, computed in plain Java for every bar of a series.
 *
 * <p>All windows end at (and include) bar {@code i}. Definitions, with {@code c, h, l, v} close, high, low, volume:
 * <ul>
 *   <li>{@code ret_k} ({@code k} = 1, 3, 5, 10, 20): {@code ln(c[i] / c[i-k])};</li>
 *   <li>{@code realised_vol_k} ({@code k} = 10, 20): sample standard deviation (divisor {@code k - 1}) of the
 *       {@code k} one-bar log returns ending at {@code i};</li>
 *   <li>{@code vwap_change_20}: {@code c[i] / VWAP - 1}, VWAP the volume-weighted mean of the typical price
 *       {@code (h + l + c) / 3} over the last 20 bars (their plain mean if those bars have no volume at all);</li>
 *   <li>{@code hl_range}: {@code (h[i] - l[i]) / c[i]};</li>
 *   <li>{@code sma_ratio_20}: {@code c[i] / mean(c over the last 20 bars) - 1};</li>
 *   <li>{@code rsi_14}: Wilder's RSI over 14 bars, scaled to {@code [-1, 1]} as {@code rsi / 50 - 1}; the averages are
 *       seeded with the plain mean of the first 14 gains/losses of a run and then smoothed
 *       {@code avg = (13 avg + x) / 14}; RSI is 100 when there are no losses and 50 when there is no change at all;</li>
 *   <li>{@code log_volume_ratio_20}: {@code ln((v[i] + e) / (m + e))}, {@code m} the mean volume of the last 20 bars
 *       and {@code e = 0.01 m + 1e-12}, so a zero-volume bar gives a finite value (about -4.6).</li>
 * </ul>
 * Rows are computed independently on each contiguous run of bars (see {@link Contiguity}): a row is defined once
 * {@link #WARMUP} earlier bars of its run exist, and is {@code NaN} before that. The RSI recursion restarts at every
 * gap.
 *
 * <p>A declared feature set ({@code data.features.set}, {@link io.distill4j.runtime.FeatureSpec}) is computed by
 * {@link #compute(KlineSeries, Contiguity, FeatureSet, double[][])}, which feeds every bar through the runtime's
 * streaming computer ({@link FeatureSet#newStream}), restarted at each run: training and a deployed student compute
 * each declared indicator with one piece of code.
 */
public final class FeatureEngineer {
    /** The feature names, in column order (one list, shared with the runtime's streaming computer). */
    public static final List<String> NAMES = FeatureStream.NAMES;
    /** Number of features. */
    public static final int NUM_FEATURES = 12;
    /** Bars of history a feature row needs before it: row {@code i} uses bars {@code i - 20 .. i}. */
    public static final int WARMUP = FeatureStream.WARMUP;

    private FeatureEngineer() {
    }

    /** Features of every bar, {@code [bars][12]}, with {@code NaN} rows inside the warm-up of each run. */
    public static double[][] compute(KlineSeries s, Contiguity runs) {
        int n = s.size();
        double[][] out = new double[n][];
        int a = 0;
        while (a < n) {
            int b = a;
            while (b + 1 < n && runs.runStart(b + 1) == a) {
                b++;
            }
            computeRun(s, a, b, out);
            a = b + 1;
        }
        for (int i = 0; i < n; i++) {
            if (out[i] == null) {
                out[i] = new double[NUM_FEATURES];
                Arrays.fill(out[i], Double.NaN);
            }
        }
        return out;
    }

    /**
     * Features of {@code set} for every bar, {@code [bars][set.names().size()]}, {@code NaN} rows inside the warm-up
     * of each run.
     *
     * @param columns the set's other inputs ({@link FeatureSet#inputs}: extra columns, other assets' aligned
     *     bars), {@code columns[k][bar]}
     */
    public static double[][] compute(KlineSeries s, Contiguity runs, FeatureSet set, double[][] columns) {
        if (set.isDefault()) {
            return compute(s, runs);
        }
        if (columns.length != set.inputs().size()) {
            throw new IllegalArgumentException("expected the inputs " + set.inputs() + ", got " + columns.length
                    + " arrays");
        }
        int n = s.size();
        int width = set.names().size();
        double[][] out = new double[n][];
        BarFeatures stream = set.newStream(Math.max(1, runs.intervalMs())); // its gap check agrees with runs
        double[] bar = new double[columns.length];
        double[] row = new double[width];
        long[] t = s.timeMs();
        for (int i = 0; i < n; i++) {
            if (runs.runStart(i) == i) {
                stream.reset();
            }
            for (int c = 0; c < columns.length; c++) {
                bar[c] = columns[c][i];
            }
            if (stream.update(t[i], s.open()[i], s.high()[i], s.low()[i], s.close()[i], s.volume()[i], bar, row)) {
                out[i] = row.clone();
            } else {
                out[i] = new double[width];
                Arrays.fill(out[i], Double.NaN);
            }
        }
        return out;
    }

    /** Features of every bar, runs measured with the series' own interval. */
    public static double[][] compute(KlineSeries s) {
        return compute(s, Contiguity.of(s));
    }

    private static void computeRun(KlineSeries s, int a, int b, double[][] out) {
        double[] c = s.close();
        double[] h = s.high();
        double[] l = s.low();
        double[] v = s.volume();
        double avgGain = 0;
        double avgLoss = 0;
        for (int i = a + 1; i <= b; i++) {
            double d = c[i] - c[i - 1];
            double gain = Math.max(d, 0);
            double loss = Math.max(-d, 0);
            int k = i - a; // number of changes so far in this run
            avgGain = FeatureStream.wilderAverage(avgGain, gain, k);
            avgLoss = FeatureStream.wilderAverage(avgLoss, loss, k);
            if (i - a < WARMUP) {
                continue;
            }
            double[] f = new double[NUM_FEATURES];
            f[0] = Math.log(c[i] / c[i - 1]);
            f[1] = Math.log(c[i] / c[i - 3]);
            f[2] = Math.log(c[i] / c[i - 5]);
            f[3] = Math.log(c[i] / c[i - 10]);
            f[4] = Math.log(c[i] / c[i - 20]);
            f[5] = realisedVol(c, i, 10);
            f[6] = realisedVol(c, i, 20);
            double pv = 0;
            double vol = 0;
            double tpSum = 0;
            double cSum = 0;
            for (int j = i - 19; j <= i; j++) {
                double tp = (h[j] + l[j] + c[j]) / 3;
                pv += tp * v[j];
                vol += v[j];
                tpSum += tp;
                cSum += c[j];
            }
            double vwap = vol > 0 ? pv / vol : tpSum / 20;
            f[7] = c[i] / vwap - 1;
            f[8] = (h[i] - l[i]) / c[i];
            f[9] = c[i] / (cSum / 20) - 1;
            f[10] = FeatureStream.rsiFeature(avgGain, avgLoss);
            f[11] = FeatureStream.logVolumeRatio(v[i], vol / 20);
            out[i] = f;
        }
    }

    /**
     * The sample standard deviation (divisor {@code k - 1}) of the {@code k} one-bar log returns of closes {@code c}
     * ending at bar {@code i} (the {@code realised_vol_k} feature).
     */
    public static double realisedVol(double[] c, int i, int k) {
        double sum = 0;
        for (int j = i - k + 1; j <= i; j++) {
            sum += Math.log(c[j] / c[j - 1]);
        }
        double mean = sum / k;
        double sq = 0;
        for (int j = i - k + 1; j <= i; j++) {
            double d = Math.log(c[j] / c[j - 1]) - mean;
            sq += d * d;
        }
        return Math.sqrt(sq / (k - 1));
    }
}
