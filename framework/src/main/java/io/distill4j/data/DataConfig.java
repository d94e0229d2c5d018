package io.distill4j.data;

import io.distill4j.config.ConfigNode;
import io.distill4j.data.BybitInterval;
import io.distill4j.runtime.FeatureSet;
import io.distill4j.runtime.FeatureSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * The {@code data:} section of a study file: where the bars come from, the sequence window, the labels and the
 * time-ordered split. Parse with {@link #parse(ConfigNode)}; every bad value is a
 * {@link io.distill4j.config.ConfigException} naming the file and config path.
 *
 * <pre>
 * data:
 *   source:
 *     type: synthetic        # synthetic | csv (required)
 *     bars: 20000            # synthetic only, >= 1000            (default 20000)
 *     seed: 7                # synthetic only                     (default 7)
 *     interval: 5m           # synthetic only: 1m,3m,5m,15m,30m,1h,2h,4h,6h,12h,1d,1w (default 5m)
 *     resample: 5m           # synthetic only, optional: aggregate the generated bars into bars of this interval
 *     path: klines.csv       # csv only, required, relative to the study file's folder
 *     start: 2025-06-01      # optional: keep bars opening at or after this UTC date or instant
 *     end: 2025-06-29        # optional: keep bars opening before this UTC date or instant
 *   features:
 *     lookback: 32           # sequence window length, 2..512     (default 32)
 *     set:                   # optional: the declared feature set (default: the 12 built-in features); a list
 *       - {indicator: return, window: 12}   # indicators of FeatureSpec, each with its window
 *       - {indicator: range}
 *       - {column: funding_rate}            # an extra numeric column of the CSV, used as it is
 *   # data.features may also be the list itself (then lookback is 32)
 *   asset: BTCUSDT           # optional: the name of this source's market (teacher_data with another asset: cross-asset
 *                            #   transfer, the same-market check is skipped)
 *   assets:                  # optional: other assets' kline files, aligned on this source's bar times
 *     ETHUSDT: {path: ETHUSDT-5m.csv}       # read by indicators with asset: ETHUSDT
 *   labels:
 *     horizon: 12            # bars, 1..1000                      (default 12)
 *     threshold: auto        # auto or a positive number          (default auto; classification only)
 *     task: classification   # classification (3 classes) | regression (the forward log return) (default classification)
 *     scale: none            # regression only: none | volatility (divided by the train targets' std) (default none)
 *   split:
 *     train: 0.6             # each in (0, 1), summing to 1       (defaults 0.6 / 0.2 / 0.2)
 *     validation: 0.2
 *     test: 0.2
 *     gap: auto              # auto (= lookback + 20 + horizon) or bars >= lookback + horizon (default auto)
 *   regimes: {...}           # optional: market regimes of the samples (io.distill4j.regime.RegimeConfig)
 * </pre>
 *
 * @param source where the bars come from
 * @param lookback sequence window length in bars
 * @param horizon label horizon in bars
 * @param threshold the label threshold on the forward log return; empty means {@code auto} (fitted on train)
 * @param split the split fractions and purge gap
 * @param target what the labels are: classes or the (scaled) forward return
 * @param features the feature set: {@link FeatureSet#DEFAULT} or a declared one
 * @param assets other assets' kline files by name ({@code data.assets}), for the set's cross-asset indicators
 * @param asset the name of the source's market ({@code data.asset}), {@code ""} when not named
 */
public record DataConfig(Source source, int lookback, int horizon, OptionalDouble threshold, Split split,
        Target target, FeatureSet features, Map<String, Path> assets, String asset) {
    /** Warm-up bars of the feature set (kept equal to {@code FeatureEngineer.WARMUP}). */
    public static final int FEATURE_WARMUP = 20;

    /** Allowed synthetic intervals: the exchange's ({@link BybitInterval}, {@code 1m ... 1w}). */
    private static final List<String> INTERVAL_NAMES = BybitInterval.shortNames();

    public DataConfig {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(threshold, "threshold");
        Objects.requireNonNull(split, "split");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(features, "features");
        assets = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(assets));
        Objects.requireNonNull(asset, "asset");
        if (!assets.keySet().containsAll(features.assets())) {
            throw new IllegalArgumentException("the features read assets " + features.assets() + "; declared: "
                    + assets.keySet());
        }
        if (!features.columns().isEmpty() && !(source instanceof CsvSource)) {
            throw new IllegalArgumentException("extra columns " + features.columns() + " need a csv source");
        }
        if (target.regression() && threshold.isPresent()) {
            throw new IllegalArgumentException("a threshold is for classification labels, not regression");
        }
        if (lookback < 2 || lookback > 512) {
            throw new IllegalArgumentException("lookback must be in [2, 512], got " + lookback);
        }
        if (horizon < 1 || horizon > 1000) {
            throw new IllegalArgumentException("horizon must be in [1, 1000], got " + horizon);
        }
        if (threshold.isPresent() && !(threshold.getAsDouble() > 0 && Double.isFinite(threshold.getAsDouble()))) {
            throw new IllegalArgumentException("threshold must be positive, got " + threshold.getAsDouble());
        }
        if (split.gap().isPresent() && split.gap().getAsInt() < lookback + horizon) {
            throw new IllegalArgumentException("gap must be >= lookback + horizon = " + (lookback + horizon));
        }
    }

    /** A classification study's data (the 3-class labels). */
    public DataConfig(Source source, int lookback, int horizon, OptionalDouble threshold, Split split) {
        this(source, lookback, horizon, threshold, split, Target.CLASSES);
    }

    /** A study's data with the 12 built-in features. */
    public DataConfig(Source source, int lookback, int horizon, OptionalDouble threshold, Split split,
            Target target) {
        this(source, lookback, horizon, threshold, split, target, FeatureSet.DEFAULT);
    }

    /** A study's data with a feature set that reads no other asset. */
    public DataConfig(Source source, int lookback, int horizon, OptionalDouble threshold, Split split,
            Target target, FeatureSet features) {
        this(source, lookback, horizon, threshold, split, target, features, Map.of());
    }

    /** A study's data whose market is not named. */
    public DataConfig(Source source, int lookback, int horizon, OptionalDouble threshold, Split split,
            Target target, FeatureSet features, Map<String, Path> assets) {
        this(source, lookback, horizon, threshold, split, target, features, assets, "");
    }

    /** The learning task of {@code data.labels.task}. */
    public enum Task {
        /** Three classes (sell, hold, buy) from the forward log return and a threshold. */
        CLASSIFICATION,
        /** The forward log return itself (one output). */
        REGRESSION
    }

    /** How a regression target is scaled ({@code data.labels.scale}). */
    public enum Scale {
        /** The forward log return as it is. */
        NONE,
        /** The forward log return divided by the standard deviation of the train split's forward returns. */
        VOLATILITY
    }

    /**
     * What the labels are.
     *
     * @param task classification or regression
     * @param scale the regression target's scale ({@link Scale#NONE} for classification)
     */
    public record Target(Task task, Scale scale) {
        /** The 3-class labels. */
        public static final Target CLASSES = new Target(Task.CLASSIFICATION, Scale.NONE);

        public Target {
            Objects.requireNonNull(task, "task");
            Objects.requireNonNull(scale, "scale");
            if (task == Task.CLASSIFICATION && scale != Scale.NONE) {
                throw new IllegalArgumentException("scale is for regression targets");
            }
        }

        /** Whether the task is regression. */
        public boolean regression() {
            return task == Task.REGRESSION;
        }
    }

    /**
     * The purge gap in bars: the explicit one, or {@code lookback + warm-up + horizon} for {@code auto} (the warm-up
     * of the feature set: 20 for the built-in features).
     */
    public int gapBars() {
        return split.gap().orElse(lookback + features.warmup() + horizon);
    }

    /** Where the bars come from. */
    public sealed interface Source permits SyntheticSource, CsvSource {
        /** A short description for provenance. */
        String describe();

        /** The time window the bars are restricted to. */
        Window window();
    }

    /**
     * The bars kept: those whose open time lies in {@code [start, end)} (either bound optional).
     *
     * @param startMs first open time kept (Unix ms, UTC), inclusive
     * @param endMs open time bound (Unix ms, UTC), exclusive
     */
    public record Window(OptionalLong startMs, OptionalLong endMs) {
        /** Every bar. */
        public static final Window ALL = new Window(OptionalLong.empty(), OptionalLong.empty());

        public Window {
            Objects.requireNonNull(startMs, "startMs");
            Objects.requireNonNull(endMs, "endMs");
            if (startMs.isPresent() && endMs.isPresent() && startMs.getAsLong() >= endMs.getAsLong()) {
                throw new IllegalArgumentException("start must be before end");
            }
        }

        /** Whether a bar opening at {@code timeMs} is kept. */
        public boolean contains(long timeMs) {
            return (startMs.isEmpty() || timeMs >= startMs.getAsLong()) && (endMs.isEmpty() || timeMs < endMs.getAsLong());
        }

        String describe() {
            return (startMs.isEmpty() ? "" : ", start=" + Instant.ofEpochMilli(startMs.getAsLong()))
                    + (endMs.isEmpty() ? "" : ", end=" + Instant.ofEpochMilli(endMs.getAsLong()));
        }
    }

    /**
     * Bars generated by the synthetic market.
     *
     * @param bars number of bars, at least 1000
     * @param seed random seed
     * @param interval bar spacing of the generated bars, a {@link BybitInterval} short name
     * @param resample when present, the generated bars are aggregated into bars of this (coarser) interval
     * @param window the bars kept
     */
    public record SyntheticSource(int bars, long seed, String interval, Optional<String> resample, Window window)
            implements Source {
        public SyntheticSource {
            if (bars < 1000) {
                throw new IllegalArgumentException("bars must be >= 1000, got " + bars);
            }
            if (!INTERVAL_NAMES.contains(interval)) {
                throw new IllegalArgumentException("interval must be one of " + INTERVAL_NAMES + ", got " + interval);
            }
            Objects.requireNonNull(resample, "resample");
            Objects.requireNonNull(window, "window");
            if (resample.isPresent() && (!INTERVAL_NAMES.contains(resample.get())
                    || !BybitInterval.parse(interval).divides(BybitInterval.parse(resample.get())))) {
                throw new IllegalArgumentException("resample must be an interval that is a multiple of " + interval
                        + ", got " + resample.get());
            }
        }

        /** Generated bars at {@code interval}, every one kept. */
        public SyntheticSource(int bars, long seed, String interval) {
            this(bars, seed, interval, Optional.empty(), Window.ALL);
        }

        /** The spacing of the generated bars. */
        public long intervalMs() {
            return BybitInterval.parse(interval).millis();
        }

        /** The spacing of the bars the samples are made of: {@code resample} when present, else {@code interval}. */
        public long barIntervalMs() {
            return BybitInterval.parse(resample.orElse(interval)).millis();
        }

        @Override
        public String describe() {
            return "synthetic(bars=" + bars + ", seed=" + seed + ", interval=" + interval
                    + resample.map(r -> ", resample=" + r).orElse("") + window.describe() + ")";
        }
    }

    /**
     * Bars read from a kline CSV file.
     *
     * @param path the file, resolved (see {@link ConfigNode#existingFile}: relative paths start at the study file's
     *     folder)
     * @param window the bars kept
     */
    public record CsvSource(Path path, Window window) implements Source {
        public CsvSource {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(window, "window");
        }

        /** Every bar of the file. */
        public CsvSource(Path path) {
            this(path, Window.ALL);
        }

        @Override
        public String describe() {
            return "csv(" + path + window.describe() + ")";
        }
    }

    /**
     * Time-ordered split fractions and purge gap.
     *
     * @param train fraction of samples for training
     * @param validation fraction for validation
     * @param test fraction for test
     * @param gap purge gap in bars between consecutive parts; empty means {@code auto}
     */
    public record Split(double train, double validation, double test, OptionalInt gap) {
        public Split {
            Objects.requireNonNull(gap, "gap");
            for (double f : new double[] {train, validation, test}) {
                if (!(f > 0 && f < 1)) {
                    throw new IllegalArgumentException("split fractions must be in (0, 1)");
                }
            }
            if (Math.abs(train + validation + test - 1) > 1e-9) {
                throw new IllegalArgumentException("split fractions must sum to 1");
            }
            if (gap.isPresent() && gap.getAsInt() < 0) {
                throw new IllegalArgumentException("gap must not be negative");
            }
        }
    }

    /** The defaults for a synthetic source (all defaults). */
    public static DataConfig defaults() {
        return new DataConfig(new SyntheticSource(20_000, 7, "5m"), 32, 12, OptionalDouble.empty(),
                new Split(0.6, 0.2, 0.2, OptionalInt.empty()));
    }

    /** {@code start} and {@code end} of a source: UTC dates ({@code 2025-06-01}) or instants, start before end. */
    private static Window window(ConfigNode src) {
        OptionalLong start = instant(src, "start");
        OptionalLong end = instant(src, "end");
        if (start.isPresent() && end.isPresent() && start.getAsLong() >= end.getAsLong()) {
            throw src.error("end", "expected an end after start " + Instant.ofEpochMilli(start.getAsLong()) + ", got "
                    + Instant.ofEpochMilli(end.getAsLong()));
        }
        return new Window(start, end);
    }

    private static OptionalLong instant(ConfigNode src, String key) {
        if (!src.has(key)) {
            return OptionalLong.empty();
        }
        String text = src.string(key);
        try {
            return OptionalLong.of(text.contains("T") ? Instant.parse(text).toEpochMilli()
                    : LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli());
        } catch (DateTimeParseException e) {
            throw src.error(key, "expected a UTC date (2025-06-01) or instant (2025-06-01T12:00:00Z), got '" + text
                    + "'");
        }
    }

    /** Parses the {@code data:} mapping; rejects unknown keys and keys of the other source type. */
    public static DataConfig parse(ConfigNode data) {
        ConfigNode src = data.section("source");
        String type = src.choice("type", null, List.of("synthetic", "csv"));
        List<String> syntheticOnly = List.of("bars", "seed", "interval", "resample");
        Window window = window(src);
        Source source;
        if (type.equals("synthetic")) {
            if (src.has("path")) {
                throw src.error("path", "'path' is only valid with type: csv (this source is type: synthetic)");
            }
            int bars = src.integer("bars", 20_000, 1000, 100_000_000);
            long seed = src.longValue("seed", 7, Long.MIN_VALUE, Long.MAX_VALUE);
            String interval = src.choice("interval", "5m", INTERVAL_NAMES);
            Optional<String> resample = Optional.empty();
            if (src.has("resample")) {
                String r = src.choice("resample", null, INTERVAL_NAMES);
                if (!BybitInterval.parse(interval).divides(BybitInterval.parse(r))) {
                    throw src.error("resample", "expected an interval that is a whole multiple of interval " + interval
                            + " (e.g. 5m for 1m bars), got " + r);
                }
                resample = Optional.of(r);
            }
            source = new SyntheticSource(bars, seed, interval, resample, window);
        } else {
            for (String k : syntheticOnly) {
                if (src.has(k)) {
                    throw src.error(k, "'" + k + "' is only valid with type: synthetic (this source is type: csv)");
                }
            }
            Path path = src.existingFile("path", "kline file");
            source = new CsvSource(path, window);
        }
        src.finish();

        String asset = data.optionalString("asset").orElse("");
        if (!asset.isEmpty() && !asset.matches(FeatureSpec.NAME)) {
            throw data.error("asset", "expected an asset name of letters, digits, '_' and '.' (not starting with a "
                    + "digit), got '" + asset + "'");
        }
        Map<String, Path> assets = new LinkedHashMap<>();
        ConfigNode assetsNode = data.optionalSection("assets").orElse(null);
        if (assetsNode != null) {
            for (String name : assetsNode.keys()) {
                if (!name.matches(FeatureSpec.NAME)) {
                    throw assetsNode.error(name, "expected an asset name of letters, digits, '_' and '.' (not "
                            + "starting with a digit), got '" + name + "'");
                }
                ConfigNode file = assetsNode.section(name);
                assets.put(name, file.existingFile("path", "kline file"));
                file.finish();
            }
            assetsNode.finish();
        }
        int lookback = 32;
        FeatureSet featureSet = FeatureSet.DEFAULT;
        if (data.raw("features").map(com.fasterxml.jackson.databind.JsonNode::isArray).orElse(false)) {
            featureSet = featureSet(data, "features", assets);
        } else {
            ConfigNode features = data.optionalSection("features").orElse(null);
            if (features != null) {
                lookback = features.integer("lookback", 32, 2, 512);
                if (features.raw("set").isPresent()) {
                    featureSet = featureSet(features, "set", assets);
                }
                features.finish();
            }
        }
        if (!featureSet.columns().isEmpty() && !(source instanceof CsvSource)) {
            throw data.error("features", "extra columns " + featureSet.columns() + " are read from a csv source "
                    + "(this source is type: synthetic)");
        }

        int horizon = 12;
        OptionalDouble threshold = OptionalDouble.empty();
        Target target = Target.CLASSES;
        ConfigNode labels = data.optionalSection("labels").orElse(null);
        if (labels != null) {
            horizon = labels.integer("horizon", 12, 1, 1000);
            Task task = Task.valueOf(labels.choice("task", "classification", List.of("classification", "regression"))
                    .toUpperCase(java.util.Locale.ROOT));
            if (task == Task.REGRESSION) {
                target = new Target(task, Scale.valueOf(labels.choice("scale", "none", List.of("none", "volatility"))
                        .toUpperCase(java.util.Locale.ROOT)));
                if (labels.has("threshold")) {
                    throw labels.error("threshold", "a threshold makes classes; with task: regression the label is "
                            + "the forward log return itself (remove threshold, or use task: classification)");
                }
            } else if (labels.accept("scale").has("scale")) { // a known key, for regression only
                throw labels.error("scale", "scale is for task: regression (this study's task is classification)");
            }
            var raw = labels.raw("threshold");
            if (raw.isPresent() && !(raw.get().isTextual() && raw.get().asText().equals("auto"))) {
                if (!raw.get().isNumber() || !(raw.get().asDouble() > 0) || !Double.isFinite(raw.get().asDouble())) {
                    throw labels.error("threshold", "expected auto or a positive number, got "
                            + ConfigNode.describe(raw.get()));
                }
                threshold = OptionalDouble.of(raw.get().asDouble());
            }
            labels.finish();
        }

        double train = 0.6;
        double validation = 0.2;
        double test = 0.2;
        OptionalInt gap = OptionalInt.empty();
        ConfigNode split = data.optionalSection("split").orElse(null);
        if (split != null) {
            train = split.number("train", 0.6, 0, 1);
            validation = split.number("validation", 0.2, 0, 1);
            test = split.number("test", 0.2, 0, 1);
            double[] fractions = {train, validation, test};
            List<String> names = List.of("train", "validation", "test");
            for (int k = 0; k < 3; k++) {
                if (!(fractions[k] > 0 && fractions[k] < 1)) {
                    throw split.error(names.get(k), "expected a fraction strictly between 0 and 1, got " + fractions[k]);
                }
            }
            if (Math.abs(train + validation + test - 1) > 1e-9) {
                double sum = new java.math.BigDecimal(train + validation + test)
                        .round(new java.math.MathContext(9)).doubleValue(); // 1.1, not 1.0999999999999999
                throw split.error("train, validation and test must sum to 1, got " + sum);
            }
            var raw = split.raw("gap");
            if (raw.isPresent() && !(raw.get().isTextual() && raw.get().asText().equals("auto"))) {
                if (!raw.get().isIntegralNumber() || !raw.get().canConvertToInt()) {
                    throw split.error("gap", "expected auto or a number of bars, got "
                            + ConfigNode.describe(raw.get()));
                }
                int g = raw.get().asInt();
                if (g < lookback + horizon) {
                    throw split.error("gap", "expected at least lookback + horizon = " + lookback + " + " + horizon
                            + " = " + (lookback + horizon) + " bars so that no window or label spans two parts, got "
                            + g);
                }
                gap = OptionalInt.of(g);
            }
            split.finish();
        }
        data.accept("regimes"); // read by io.distill4j.regime.RegimeConfig (market regimes of the samples)
        data.finish();
        return new DataConfig(source, lookback, horizon, threshold, new Split(train, validation, test, gap), target,
                featureSet, assets, asset);
    }

    /** Default windows of the indicators when {@code window} is not given. */
    private static final Map<String, Integer> DEFAULT_WINDOWS = Map.of("return", 1, "volatility", 20, "rsi", 14,
            "volume_ratio", 20, "vwap_distance", 20, "ma_distance", 20);

    /** The kline columns, which are bars, not extra columns. */
    private static final List<String> KLINE_COLUMNS = List.of("timestamp_ms", "open", "high", "low", "close",
            "volume", "turnover");

    /** A declared feature set: {@code {indicator: NAME, window: N}} or {@code {column: NAME}} per element. */
    private static FeatureSet featureSet(ConfigNode parent, String key, Map<String, Path> assets) {
        List<ConfigNode> elements = parent.sectionList(key);
        if (elements.isEmpty()) {
            throw parent.error(key, "expected at least one feature ({indicator: return, window: 12}, "
                    + "{column: funding_rate}, ...)");
        }
        List<FeatureSpec> specs = new ArrayList<>();
        Map<String, String> seen = new LinkedHashMap<>();
        for (ConfigNode e : elements) {
            FeatureSpec spec = featureSpec(e, assets);
            String before = seen.putIfAbsent(spec.name(), e.path());
            if (before != null) {
                throw e.error("feature '" + spec.name() + "' is declared twice (also at " + before + "); expected "
                        + "each feature once");
            }
            specs.add(spec);
        }
        return FeatureSet.of(specs);
    }

    private static FeatureSpec featureSpec(ConfigNode e, Map<String, Path> assets) {
        if (e.has("column")) {
            if (e.has("indicator")) {
                throw e.error("column", "expected either indicator or column in one feature, got both");
            }
            if (e.has("asset")) {
                throw e.error("asset", "an extra column is read from data.source's own file; asset is for "
                        + "indicators");
            }
            String name = e.string("column");
            if (!name.matches("[A-Za-z_][A-Za-z0-9_.]*")) {
                throw e.error("column", "expected a column name of letters, digits, '_' and '.' (not starting with a "
                        + "digit), got '" + name + "'");
            }
            if (KLINE_COLUMNS.contains(name)) {
                throw e.error("column", "expected an extra column of the CSV, got the kline column '" + name + "' "
                        + "(use an indicator: " + FeatureSpec.INDICATORS + ")");
            }
            e.finish();
            return FeatureSpec.column(name);
        }
        if (!e.has("indicator")) {
            throw e.error("expected {indicator: NAME, window: N} (NAME one of " + FeatureSpec.INDICATORS
                    + ") or {column: NAME}");
        }
        String kind = e.choice("indicator", null, FeatureSpec.INDICATORS);
        int window = 0;
        if (kind.equals("range")) {
            if (e.has("window")) {
                throw e.error("window", "range has no window (it is (high - low) / close of the bar itself)");
            }
        } else {
            window = e.integer("window", DEFAULT_WINDOWS.get(kind), FeatureSpec.minWindow(kind),
                    FeatureSpec.MAX_WINDOW);
        }
        String asset = "";
        if (e.has("asset")) {
            asset = e.string("asset");
            if (!assets.containsKey(asset)) {
                throw e.error("asset", "expected an asset declared in data.assets " + assets.keySet() + ", got '"
                        + asset + "'");
            }
        }
        e.finish();
        return FeatureSpec.indicator(kind, window, asset);
    }
}
