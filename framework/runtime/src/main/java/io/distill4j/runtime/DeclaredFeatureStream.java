package io.distill4j.runtime;

import java.util.List;

/**
 * A declared {@link FeatureSet} computed bar by bar, definitions in {@link FeatureSpec}. The batch pipeline feeds
 * every bar of a series through this same class, so training and the deployed student compute each indicator with
 * one piece of code. Keeps the last bars of the current run in a ring; each bar costs O(sum of the windows) (RSI is
 * a recursion, O(1)). Allocates nothing per bar; not thread-safe.
 */
public final class DeclaredFeatureStream implements BarFeatures {
    private final FeatureSpec[] specs;
    private final int[] columnIndex; // per spec: its index among the set's columns, or -1
    private final int warmup;
    private final long intervalMs;
    private final int mask;
    private final double[] close;
    private final double[] high;
    private final double[] low;
    private final double[] volume;
    private final double[] avgGain;
    private final double[] avgLoss;
    private long lastTime;
    private long count;

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
        this.columnIndex = new int[specs.length];
        int maxWindow = 1;
        for (int k = 0; k < specs.length; k++) {
            columnIndex[k] = specs[k].isColumn() ? set.columns().indexOf(specs[k].column()) : -1;
            maxWindow = Math.max(maxWindow, specs[k].window());
        }
        this.warmup = set.warmup();
        this.intervalMs = intervalMs;
        int ring = Integer.highestOneBit(maxWindow + 1) << 1; // a power of two > maxWindow + 1
        this.mask = ring - 1;
        this.close = new double[ring];
        this.high = new double[ring];
        this.low = new double[ring];
        this.volume = new double[ring];
        this.avgGain = new double[specs.length];
        this.avgLoss = new double[specs.length];
    }

    @Override
    public void reset() {
        count = 0;
    }

    @Override
    public long runLength() {
        return count;
    }

    @Override
    public boolean update(long openTimeMs, double open, double high, double low, double close, double volume,
            double[] columns, double[] features) {
        if (count > 0 && openTimeMs - lastTime != intervalMs) {
            count = 0;
        }
        lastTime = openTimeMs;
        int i = (int) (count & mask);
        this.close[i] = close;
        this.high[i] = high;
        this.low[i] = low;
        this.volume[i] = volume;
        if (count == 0) {
            java.util.Arrays.fill(avgGain, 0);
            java.util.Arrays.fill(avgLoss, 0);
        } else {
            double d = close - this.close[(i - 1) & mask];
            for (int k = 0; k < specs.length; k++) {
                if (specs[k].kind().equals("rsi")) {
                    avgGain[k] = FeatureStream.wilderAverage(avgGain[k], Math.max(d, 0), count, specs[k].window());
                    avgLoss[k] = FeatureStream.wilderAverage(avgLoss[k], Math.max(-d, 0), count, specs[k].window());
                }
            }
        }
        count++;
        if (count <= warmup) {
            return false;
        }
        for (int k = 0; k < specs.length; k++) {
            features[k] = value(k, i, columns);
        }
        return true;
    }

    private double value(int k, int i, double[] columns) {
        FeatureSpec s = specs[k];
        int w = s.window();
        double c = close[i];
        switch (s.kind()) {
            case "return":
                return Math.log(c / close[(i - w) & mask]);
            case "volatility": {
                double mean = 0;
                for (int j = 0; j < w; j++) {
                    mean += oneBarReturn(i - j);
                }
                mean /= w;
                double sq = 0;
                for (int j = 0; j < w; j++) {
                    double d = oneBarReturn(i - j) - mean;
                    sq += d * d;
                }
                return Math.sqrt(sq / (w - 1));
            }
            case "rsi":
                return FeatureStream.rsiFeature(avgGain[k], avgLoss[k]);
            case "range":
                return (high[i] - low[i]) / c;
            case "volume_ratio": {
                double sum = 0;
                for (int j = 0; j < w; j++) {
                    sum += volume[(i - j) & mask];
                }
                return FeatureStream.logVolumeRatio(volume[i], sum / w);
            }
            case "vwap_distance": {
                double pv = 0;
                double vol = 0;
                double tpSum = 0;
                for (int j = 0; j < w; j++) {
                    int b = (i - j) & mask;
                    double tp = (high[b] + low[b] + close[b]) / 3;
                    pv += tp * volume[b];
                    vol += volume[b];
                    tpSum += tp;
                }
                return c / (vol > 0 ? pv / vol : tpSum / w) - 1;
            }
            case "ma_distance": {
                double sum = 0;
                for (int j = 0; j < w; j++) {
                    sum += close[(i - j) & mask];
                }
                return c / (sum / w) - 1;
            }
            default: // column
                return columns[columnIndex[k]];
        }
    }

    private double oneBarReturn(int j) {
        return Math.log(close[j & mask] / close[(j - 1) & mask]);
    }
}
