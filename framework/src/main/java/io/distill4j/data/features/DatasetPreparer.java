package io.distill4j.data.features;

import io.distill4j.data.DataConfig;
import io.distill4j.data.DataException;
import io.distill4j.data.DataQualityReport;
import io.distill4j.data.KlineChecks;
import io.distill4j.data.KlineCsvReader;
import io.distill4j.data.KlineLoad;
import io.distill4j.data.KlineResampling;
import io.distill4j.api.KlineSeries;
import io.distill4j.data.synthetic.SyntheticConfig;
import io.distill4j.data.synthetic.SyntheticMarket;
import io.distill4j.data.synthetic.SyntheticSeries;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.HexFormat;

/**
 * The data pipeline's entry point: loads or generates the bars, computes features, keeps the samples whose window
 * and label lie in one contiguous run, splits them in time order with purge gaps, fits the label threshold
 * ({@code auto}) and the standardisation on train only, and returns a {@link PreparedData}. Nothing is cached on
 * disk.
 *
 * <p>A sample at bar {@code i} is valid only if bars {@code i - lookback - w + 1 .. i + horizon} are contiguous,
 * {@code w} the feature set's warm-up (20 for the built-in features).
 */
public final class DatasetPreparer {
    private DatasetPreparer() {
    }

    /** Prepares the dataset described by {@code config}. */
    public static PreparedData prepare(DataConfig config) {
        return prepare(config, null);
    }

    /**
     * Prepares the dataset described by {@code config}, split at given times instead of by fractions (the teacher's
     * data of a cross-timeframe study, split where the student's is): samples opening before
     * {@code validationStartMs} are train, those from {@code testStartMs} on are test, the others validation, and the
     * purge gap ({@link DataConfig#gapBars()} of this data's bars) is taken from the end of train and of validation
     * (see {@link TimeSplit#atTimes}), so no train label reaches past {@code validationStartMs}.
     */
    public static PreparedData prepareSplitAt(DataConfig config, long validationStartMs, long testStartMs) {
        return prepare(config, new long[] {validationStartMs, testStartMs});
    }

    private static PreparedData prepare(DataConfig config, long[] cutTimes) {
        return prepare(load(config), config, cutTimes == null ? null
                : (bars, timeMs, gap) -> TimeSplit.atTimes(bars, timeMs, cutTimes[0], cutTimes[1], gap));
    }

    /**
     * Prepares window {@code k} of a walk-forward study (see {@link RollingWindows}): features over the whole series
     * (they look back only), the window's train, validation and test parts by bar range, and the label threshold
     * ({@code auto}), target scale and standardisation fitted on the window's train part only.
     *
     * @throws DataException when the series is too short for window {@code k}
     */
    public static PreparedData prepareWindow(DataConfig config, RollingWindows windows, int k) {
        return prepareWindow(load(config), config, windows, k);
    }

    /** As {@link #prepareWindow(DataConfig, RollingWindows, int)}, for an already loaded series. */
    public static PreparedData prepareWindow(KlineSeries series, DataConfig config, RollingWindows windows, int k) {
        DataQualityReport quality = DataQualityReport.of(series);
        return prepareWindow(new Loaded(series, quality, quality.intervalMs(), null, new double[0][], null), config,
                windows, k);
    }

    private static PreparedData prepareWindow(Loaded l, DataConfig config, RollingWindows windows, int k) {
        RollingWindows.Window w = windows.window(k);
        int bars = l.series().size();
        if (w.testTo() > bars) {
            throw new DataException(l.series().source() + ": " + bars + " bars hold " + windows.windows(bars).size()
                    + " rolling window(s); window " + (k + 1) + " needs " + w.testTo() + " (rolling.train_bars "
                    + windows.train() + ", test_bars " + windows.test() + ", step_bars " + windows.step()
                    + ", gap_bars " + windows.gap() + ")");
        }
        return prepare(l, config, (sampleBars, timeMs, gap) -> TimeSplit.inRanges(sampleBars, w));
    }

    /** The number of bars of the series {@code config} describes (loaded or generated, after its window). */
    public static int barCount(DataConfig config) {
        return load(config).series().size();
    }

    /** How a prepared dataset's samples are split (by fractions when absent). */
    private interface Splitter {
        TimeSplit split(int[] sampleBars, long[] timeMs, int gap);
    }

    /**
     * A loaded series with the declared set's other inputs ({@code inputs[k][bar]}: extra columns, then other
     * assets' aligned bars) and the assets' alignment report (null without other assets).
     */
    private record Loaded(KlineSeries series, DataQualityReport quality, long interval, SyntheticSeries synthetic,
            double[][] inputs, String alignment) {
    }

    private static Loaded load(DataConfig config) {
        KlineSeries series;
        DataQualityReport quality;
        double[][] columns = new double[0][];
        SyntheticSeries synthetic = null;
        long interval;
        if (config.source() instanceof DataConfig.SyntheticSource s) {
            SyntheticSeries gen = SyntheticMarket.generate(new SyntheticConfig(s.bars(), s.seed(), s.intervalMs()));
            series = gen.series();
            synthetic = gen;
            if (s.resample().isPresent()) { // the generator's law is per fine bar: unknown for the coarse bars
                series = KlineResampling.aggregate(series, s.intervalMs(), s.barIntervalMs());
                synthetic = null;
            }
            if (!s.window().equals(DataConfig.Window.ALL)) { // bar indices shift: the law's per-bar facts are dropped
                synthetic = null;
                series = restricted(series, s.window(), config);
            }
            quality = DataQualityReport.of(series);
            interval = s.barIntervalMs();
        } else {
            DataConfig.CsvSource c = (DataConfig.CsvSource) config.source();
            KlineLoad load = KlineCsvReader.read(c.path().toAbsolutePath().normalize(), config.features().columns());
            series = load.series();
            quality = KlineChecks.check(load);
            interval = quality.intervalMs();
            if (!c.window().equals(DataConfig.Window.ALL)) {
                series = restricted(series, c.window(), config);
                quality = DataQualityReport.of(series);
            }
            int first = series.size() == 0 ? 0 : Arrays.binarySearch(load.series().timeMs(), series.timeMs()[0]);
            columns = new double[config.features().columns().size()][];
            for (int k = 0; k < columns.length; k++) { // the window keeps a time range: one slice of the file's rows
                double[] all = load.columns().get(config.features().columns().get(k));
                columns[k] = Arrays.copyOfRange(all, first, first + series.size());
            }
        }
        List<String> assets = config.features().assets();
        if (assets.isEmpty()) {
            return new Loaded(series, quality, interval, synthetic, columns, null);
        }
        List<KlineSeries> others = new ArrayList<>();
        for (String name : assets) {
            others.add(KlineCsvReader.read(config.assets().get(name).toAbsolutePath().normalize()).series());
        }
        AssetAlignment aligned = AssetAlignment.of(series, assets, others);
        double[][] inputs = Arrays.copyOf(columns, columns.length + aligned.inputs().length);
        System.arraycopy(aligned.inputs(), 0, inputs, columns.length, aligned.inputs().length);
        return new Loaded(series, quality, interval, synthetic, inputs, aligned.report());
    }

    private static KlineSeries restricted(KlineSeries series, DataConfig.Window window, DataConfig config) {
        KlineSeries kept = KlineResampling.restrict(series, window);
        if (kept.size() < 2) {
            throw new DataException(series.source() + ": " + kept.size() + " bar(s) in the window of "
                    + config.source().describe() + " (the bars run from "
                    + java.time.Instant.ofEpochMilli(series.timeMs()[0]) + " to "
                    + java.time.Instant.ofEpochMilli(series.timeMs()[series.size() - 1]) + ")");
        }
        return kept;
    }

    /** Prepares an already loaded series (e.g. for tests or other sources). */
    public static PreparedData prepare(KlineSeries series, DataConfig config) {
        return prepare(series, new double[0][], config);
    }

    /**
     * Prepares an already loaded series with the declared set's other inputs ({@code inputs[k][bar]}, in the order
     * of {@link io.distill4j.runtime.FeatureSet#inputs()}: extra columns, then other assets' aligned bars).
     */
    public static PreparedData prepare(KlineSeries series, double[][] columns, DataConfig config) {
        DataQualityReport quality = DataQualityReport.of(series);
        return prepare(new Loaded(series, quality, quality.intervalMs(), null, columns, null), config, null);
    }

    /** Prepares a loaded series, split by {@code splitter} (by fractions when null), with its alignment report. */
    private static PreparedData prepare(Loaded l, DataConfig config, Splitter splitter) {
        PreparedData d = prepare(l.series(), l.quality(), l.interval(), l.synthetic(), config, splitter, l.inputs());
        return l.alignment() == null ? d : d.withSplits(d.train(), d.validation(), d.test(), l.alignment());
    }

    private static PreparedData prepare(KlineSeries series, DataQualityReport quality, long interval,
            SyntheticSeries synthetic, DataConfig config, Splitter splitter, double[][] columns) {
        int n = series.size();
        int lookback = config.lookback();
        int h = config.horizon();
        int back = lookback + config.features().warmup() - 1;
        Contiguity runs = Contiguity.of(series, interval);
        double[][] rows = FeatureEngineer.compute(series, runs, config.features(), columns);

        int firstCandidate = back;
        int lastCandidate = n - 1 - h;
        int candidates = Math.max(0, lastCandidate - firstCandidate + 1);
        int[] sampleBars = new int[candidates];
        int valid = 0;
        boolean crossAsset = !config.features().assets().isEmpty(); // another asset's gap can undefine a row
        for (int i = firstCandidate; i <= lastCandidate; i++) {
            if (runs.contiguous(i - back, i + h) && (!crossAsset || defined(rows, i - lookback + 1, i))) {
                sampleBars[valid++] = i;
            }
        }
        sampleBars = Arrays.copyOf(sampleBars, valid);
        int gap = config.gapBars();
        TimeSplit split = splitter == null
                ? TimeSplit.of(sampleBars, config.split().train(), config.split().validation(), gap)
                : splitter.split(sampleBars, series.timeMs(), gap);
        if (split.train().length < 3 || split.validation().length == 0 || split.test().length == 0) {
            throw new DataException(series.source() + ": too few samples: " + n + " bars give " + valid
                    + " valid samples (lookback " + lookback + ", horizon " + h + ", " + (candidates - valid)
                    + " dropped at gaps), leaving train/validation/test = " + split.train().length + "/"
                    + split.validation().length + "/" + split.test().length + " after purge gaps of " + gap
                    + " bars");
        }

        double[] close = series.close();
        double[] fwd = new double[valid];
        for (int k = 0; k < valid; k++) {
            fwd[k] = Labels.forwardReturn(close, sampleBars[k], h);
        }
        double threshold = config.threshold().isPresent() ? config.threshold().getAsDouble()
                : Labels.autoThreshold(pick(fwd, split.train()));
        double scale = config.target().scale() == DataConfig.Scale.VOLATILITY
                ? trainStd(series.source(), pick(fwd, split.train())) : 1;

        int[] trainBars = pickBars(sampleBars, split.train());
        Standardiser std = Standardiser.fit(rows, trainBars);
        float[][] standardised = new float[n][];
        for (int i = 0; i < n; i++) {
            if (!Double.isNaN(rows[i][0])) {
                standardised[i] = std.apply(rows[i]);
            }
        }

        SampleSplit train = part("train", split.train(), sampleBars, fwd, threshold, scale, standardised, lookback,
                series);
        if (!config.target().regression()) {
            requireTwoClasses(series.source(), train, h, threshold, config.threshold().isEmpty());
        }
        DataDescription description = new DataDescription(series.source(), n, series.timeMs()[0],
                series.timeMs()[n - 1], interval, sha256(series), quality, candidates, candidates - valid,
                split.purged());
        return new PreparedData(description, config.features(), threshold, std, lookback, h, gap,
                train,
                part("validation", split.validation(), sampleBars, fwd, threshold, scale, standardised, lookback,
                        series),
                part("test", split.test(), sampleBars, fwd, threshold, scale, standardised, lookback, series),
                synthetic, series, config.target(), scale);
    }

    /** A training split with one label class teaches nothing and scores accuracy 1.0: an error. */
    private static void requireTwoClasses(String source, SampleSplit train, int horizon, double threshold,
            boolean auto) {
        int[] counts = train.classCounts();
        int present = 0;
        int only = 0;
        for (int k = 0; k < counts.length; k++) {
            if (counts[k] > 0) {
                present++;
                only = k;
            }
        }
        if (present < 2) {
            throw new DataException(source + ": every training label is " + Labels.NAMES.get(only) + " ("
                    + counts[only] + " samples) with data.labels.horizon " + horizon + " and data.labels.threshold "
                    + threshold + (auto ? " (auto)" : "") + "; expected at least 2 classes in train (a lower "
                    + "threshold, a longer horizon, or data whose price moves)");
        }
    }

    /** The standard deviation (population) of the train forward returns: the {@code volatility} target scale. */
    static double trainStd(String source, double[] train) {
        double mean = 0;
        for (double r : train) {
            mean += r;
        }
        mean /= train.length;
        double ss = 0;
        for (double r : train) {
            ss += (r - mean) * (r - mean);
        }
        double std = Math.sqrt(ss / train.length);
        if (!(std > 0)) {
            throw new DataException(source + ": every training forward return is " + mean
                    + "; data.labels.scale: volatility needs returns that vary");
        }
        return std;
    }

    private static SampleSplit part(String name, int[] pos, int[] sampleBars, double[] fwd, double threshold,
            double scale, float[][] standardised, int lookback, KlineSeries series) {
        int[] bars = pickBars(sampleBars, pos);
        double[] r = pick(fwd, pos);
        int[] labels = new int[r.length];
        double[] targets = new double[r.length];
        long[] time = new long[r.length];
        for (int k = 0; k < r.length; k++) {
            labels[k] = Labels.classify(r[k], threshold);
            targets[k] = r[k] / scale;
            time[k] = series.timeMs()[bars[k]];
        }
        return new SampleSplit(name, bars, standardised, width(standardised), lookback, labels, r, targets, time);
    }

    /** Whether rows {@code from..to} are all defined. */
    private static boolean defined(double[][] rows, int from, int to) {
        for (int i = from; i <= to; i++) {
            if (Double.isNaN(rows[i][0])) {
                return false;
            }
        }
        return true;
    }

    /** The width of the defined rows. */
    private static int width(float[][] rows) {
        for (float[] row : rows) {
            if (row != null) {
                return row.length;
            }
        }
        return 0;
    }

    private static double[] pick(double[] a, int[] pos) {
        double[] out = new double[pos.length];
        for (int k = 0; k < pos.length; k++) {
            out[k] = a[pos[k]];
        }
        return out;
    }

    private static int[] pickBars(int[] a, int[] pos) {
        int[] out = new int[pos.length];
        for (int k = 0; k < pos.length; k++) {
            out[k] = a[pos[k]];
        }
        return out;
    }

    /** Hex SHA-256 over the kline arrays (big-endian longs, doubles as their raw IEEE bits). */
    public static String sha256(KlineSeries s) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            ByteBuffer buf = ByteBuffer.allocate(8 * 7);
            for (int i = 0; i < s.size(); i++) {
                buf.clear();
                buf.putLong(s.timeMs()[i]);
                buf.putLong(Double.doubleToLongBits(s.open()[i]));
                buf.putLong(Double.doubleToLongBits(s.high()[i]));
                buf.putLong(Double.doubleToLongBits(s.low()[i]));
                buf.putLong(Double.doubleToLongBits(s.close()[i]));
                buf.putLong(Double.doubleToLongBits(s.volume()[i]));
                buf.putLong(Double.doubleToLongBits(s.turnover()[i]));
                md.update(buf.array());
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }
}
