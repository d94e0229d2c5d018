package io.distill4j.runtime;

import java.util.Arrays;
import java.util.List;

/**
 * A declared {@link FeatureSet} computed bar by bar, definitions in {@link FeatureSpec}. The batch pipeline feeds
 * every bar of a series through this same class, so training and the deployed student compute each indicator with
 * one piece of code. Keeps the last bars of the current run in a ring per asset (slot 0 the study's own bars, then
 * one per {@link FeatureSet#assets}); each bar costs O(sum of the windows) (RSI is a recursion, O(1)).
 *
 * <p>Runs: a bar whose open time is not one interval after the previous starts a new run of every asset; an other
 * asset's bar given as {@code NaN} (missing at this open time) ends that asset's run, and its next bar starts a new
 * one. A row is defined once every feature has its warm-up of earlier bars in its asset's current run. Allocates
 * nothing per bar; not thread-safe.
 */
public final class DeclaredFeatureStream implements BarFeatures {
    private final FeatureSpec[] specs;
    private final int[] slotOf; // per spec: 0 own bars, 1 + index of its asset
    private final int[] columnIndex; // per spec: its index among the inputs, or -1
    private final int columnCount;
    private final long intervalMs;
    private final int mask;
    private final double[][] close; // [slot][ring]
    private final double[][] high;
    private final double[][] low;
    private final double[][] volume;
    private final long[] count; // bars of the current run per slot
    private final double[] avgGain;
    private final double[] avgLoss;
    private long lastTime;

    /** @param intervalMs the bar interval of the training data; any other step between bars is a gap */
    public DeclaredFeatureStream(FeatureSet set, long intervalMs) {
        if (set.isDefault()) {
            throw new IllegalArgumentException("the default set is computed by FeatureStream");
        }
        if (intervalMs <= 0) {
            throw new IllegalArgumentException("interval must be > 0 ms, got " + intervalMs);
        }
        List<FeatureSpec> list = set.specs();
        this.specs = list.toArray(new FeatureSpec[0]);
        this.slotOf = new int[specs.length];
        this.columnIndex = new int[specs.length];
        this.columnCount = set.columns().size();
        int maxWindow = 1;
        for (int k = 0; k < specs.length; k++) {
            columnIndex[k] = specs[k].isColumn() ? set.columns().indexOf(specs[k].column()) : -1;
            slotOf[k] = specs[k].asset().isEmpty() ? 0 : 1 + set.assets().indexOf(specs[k].asset());
            maxWindow = Math.max(maxWindow, specs[k].window());
        }
        this.intervalMs = intervalMs;
        int ring = Integer.highestOneBit(maxWindow + 1) << 1; // a power of two > maxWindow + 1
        this.mask = ring - 1;
        int slots = 1 + set.assets().size();
        this.close = new double[slots][ring];
        this.high = new double[slots][ring];
        this.low = new double[slots][ring];
        this.volume = new double[slots][ring];
        this.count = new long[slots];
        this.avgGain = new double[specs.length];
        this.avgLoss = new double[specs.length];
    }

    @Override
    public void reset() {
        Arrays.fill(count, 0);
    }

    @Override
    public long runLength() {
        return count[0];
    }

    @Override
    public boolean update(long openTimeMs, double open, double high, double low, double close, double volume,
            double[] columns, double[] features) {
        if (count[0] > 0 && openTimeMs - lastTime != intervalMs) {
            reset();
        }
        lastTime = openTimeMs;
        push(0, high, low, close, volume);
        for (int a = 1; a < count.length; a++) {
            int at = columnCount + (a - 1) * 5; // open, high, low, close, volume
            double c = columns[at + 3];
            if (Double.isNaN(c) || Double.isNaN(columns[at + 1]) || Double.isNaN(columns[at + 2])
                    || Double.isNaN(columns[at + 4])) {
                count[a] = 0; // no bar of this asset at this time: its run ends
            } else {
                push(a, columns[at + 1], columns[at + 2], c, columns[at + 4]);
            }
        }
        boolean defined = true;
        for (int k = 0; k < specs.length; k++) {
            defined &= count[slotOf[k]] > specs[k].warmup();
        }
        if (!defined) {
            return false;
        }
        for (int k = 0; k < specs.length; k++) {
            features[k] = value(k, columns);
        }
        return true;
    }

    /** Adds a bar to {@code slot}'s run and steps the RSI averages of the features reading it. */
    private void push(int slot, double h, double l, double c, double v) {
        int i = (int) (count[slot] & mask);
        double[] cl = close[slot];
        cl[i] = c;
        high[slot][i] = h;
        low[slot][i] = l;
        volume[slot][i] = v;
        long n = count[slot];
        for (int k = 0; k < specs.length; k++) {
            if (slotOf[k] != slot || !specs[k].kind().equals("rsi")) {
                continue;
            }
            if (n == 0) {
                avgGain[k] = 0;
                avgLoss[k] = 0;
            } else {
                double d = c - cl[(i - 1) & mask];
                avgGain[k] = FeatureStream.wilderAverage(avgGain[k], Math.max(d, 0), n, specs[k].window());
                avgLoss[k] = FeatureStream.wilderAverage(avgLoss[k], Math.max(-d, 0), n, specs[k].window());
            }
        }
        count[slot] = n + 1;
    }

    private double value(int k, double[] columns) {
        FeatureSpec s = specs[k];
        int slot = slotOf[k];
        double[] cl = close[slot];
        double[] hi = high[slot];
        double[] lo = low[slot];
        double[] vo = volume[slot];
        int i = (int) ((count[slot] - 1) & mask);
        int w = s.window();
        double c = cl[i];
        switch (s.kind()) {
            case "return":
                return Math.log(c / cl[(i - w) & mask]);
            case "volatility": {
                double mean = 0;
                for (int j = 0; j < w; j++) {
                    mean += Math.log(cl[(i - j) & mask] / cl[(i - j - 1) & mask]);
                }
                mean /= w;
                double sq = 0;
                for (int j = 0; j < w; j++) {
                    double d = Math.log(cl[(i - j) & mask] / cl[(i - j - 1) & mask]) - mean;
                    sq += d * d;
                }
                return Math.sqrt(sq / (w - 1));
            }
            case "rsi":
                return FeatureStream.rsiFeature(avgGain[k], avgLoss[k]);
            case "range":
                return (hi[i] - lo[i]) / c;
            case "volume_ratio": {
                double sum = 0;
                for (int j = 0; j < w; j++) {
                    sum += vo[(i - j) & mask];
                }
                return FeatureStream.logVolumeRatio(vo[i], sum / w);
            }
            case "vwap_distance": {
                double pv = 0;
                double vol = 0;
                double tpSum = 0;
                for (int j = 0; j < w; j++) {
                    int b = (i - j) & mask;
                    double tp = (hi[b] + lo[b] + cl[b]) / 3;
                    pv += tp * vo[b];
                    vol += vo[b];
                    tpSum += tp;
                }
                return c / (vol > 0 ? pv / vol : tpSum / w) - 1;
            }
            case "ma_distance": {
                double sum = 0;
                for (int j = 0; j < w; j++) {
                    sum += cl[(i - j) & mask];
                }
                return c / (sum / w) - 1;
            }
            default: // column
                return columns[columnIndex[k]];
        }
    }
}
