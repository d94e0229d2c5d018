package io.distill4j.deploy;

import io.distill4j.data.features.FeatureEngineer;
import io.distill4j.data.features.Standardiser;
import io.distill4j.runtime.FeatureSet;
import io.distill4j.runtime.FeatureSpec;
import io.distill4j.runtime.StudentModel;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * What a runtime model file needs beside the network: how the input is shaped, the bar interval (to tell gaps), the
 * standardiser fitted on the training split, and provenance. Kept as {@code <trial-id>.export.properties} beside
 * a student's DL4J zip, so {@code distill4j export} can convert the zip later without the data.
 *
 * @param sequence whether the student reads windows {@code [lookback][features]}
 * @param lookback the study's window length in bars
 * @param intervalMs the training data's bar interval
 * @param mean the standardiser's means, one per feature of {@code features}
 * @param std the standardiser's standard deviations
 * @param provenance study, trial id, config hash and the like, written into the file's metadata
 * @param features the feature set the student reads ({@link FeatureSet#DEFAULT}: the 12 of {@link FeatureEngineer})
 */
public record ExportInfo(boolean sequence, int lookback, long intervalMs, double[] mean, double[] std,
        Map<String, String> provenance, FeatureSet features) {
    /** The feature specification written into every model file (the definitions are FeatureEngineer's). */
    static final Map<String, String> FEATURE_SPEC = featureSpec();

    /** Copies the arrays and the map. */
    public ExportInfo {
        mean = mean.clone();
        std = std.clone();
        provenance = Map.copyOf(provenance);
        java.util.Objects.requireNonNull(features, "features");
        if (mean.length != features.names().size() || std.length != mean.length) {
            throw new IllegalArgumentException("a standardiser of " + mean.length + "/" + std.length
                    + " values, expected " + features.names().size());
        }
    }

    /** With the 12 built-in features. */
    public ExportInfo(boolean sequence, int lookback, long intervalMs, double[] mean, double[] std,
            Map<String, String> provenance) {
        this(sequence, lookback, intervalMs, mean, std, provenance, FeatureSet.DEFAULT);
    }

    /** From a fitted standardiser, with the 12 built-in features. */
    public static ExportInfo of(boolean sequence, int lookback, long intervalMs, Standardiser standardiser,
            Map<String, String> provenance) {
        return of(sequence, lookback, intervalMs, standardiser, provenance, FeatureSet.DEFAULT);
    }

    /** From a fitted standardiser and the feature set it was fitted on. */
    public static ExportInfo of(boolean sequence, int lookback, long intervalMs, Standardiser standardiser,
            Map<String, String> provenance, FeatureSet features) {
        return new ExportInfo(sequence, lookback, intervalMs, standardiser.mean(), standardiser.std(), provenance,
                features);
    }

    /** The model file's metadata: provenance, then the input and feature specification. */
    public Map<String, String> metadata() {
        Map<String, String> m = new LinkedHashMap<>(new TreeMap<>(provenance));
        m.put("input", sequence ? "sequence" : "tabular");
        m.put("lookback", Integer.toString(lookback));
        m.put("interval_ms", Long.toString(intervalMs));
        m.put("classes", "sell,hold,buy");
        m.putAll(features.isDefault() ? FEATURE_SPEC : declaredSpec(features));
        return m;
    }

    /** Writes this as properties (doubles as their exact decimal form). */
    public void write(OutputStream out) throws IOException {
        Properties p = new Properties();
        p.setProperty("sequence", Boolean.toString(sequence));
        p.setProperty("lookback", Integer.toString(lookback));
        p.setProperty("interval_ms", Long.toString(intervalMs));
        p.setProperty("mean", join(mean));
        p.setProperty("std", join(std));
        provenance.forEach((k, v) -> p.setProperty("provenance." + k, v));
        if (!features.isDefault()) {
            p.setProperty("features", features.canonical());
        }
        p.store(out, "distill4j runtime export information");
    }

    /** Reads what {@link #write} wrote. */
    public static ExportInfo read(InputStream in) throws IOException {
        Properties p = new Properties();
        p.load(in);
        try {
            Map<String, String> prov = new TreeMap<>();
            for (String k : p.stringPropertyNames()) {
                if (k.startsWith("provenance.")) {
                    prov.put(k.substring("provenance.".length()), p.getProperty(k));
                }
            }
            return new ExportInfo(Boolean.parseBoolean(require(p, "sequence")),
                    Integer.parseInt(require(p, "lookback")), Long.parseLong(require(p, "interval_ms")),
                    split(require(p, "mean")), split(require(p, "std")), prov,
                    FeatureSet.parse(p.getProperty("features", "")));
        } catch (IllegalArgumentException e) {
            throw new IOException("export information: " + e.getMessage(), e);
        }
    }

    private static String require(Properties p, String key) {
        String v = p.getProperty(key);
        if (v == null) {
            throw new IllegalArgumentException("no '" + key + "'");
        }
        return v;
    }

    private static String join(double[] v) {
        StringBuilder b = new StringBuilder();
        for (double x : v) {
            b.append(b.length() == 0 ? "" : ",").append(x);
        }
        return b.toString();
    }

    private static double[] split(String s) {
        return Arrays.stream(s.split(",")).mapToDouble(Double::parseDouble).toArray();
    }

    private static Map<String, String> featureSpec() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("features", String.join(",", FeatureEngineer.NAMES));
        m.put("feature.warmup_bars", Integer.toString(FeatureEngineer.WARMUP));
        m.put("feature.ret_k", "ln(close[i] / close[i-k]), k = 1,3,5,10,20");
        m.put("feature.realised_vol_k", "sample std (divisor k-1) of the k one-bar log returns ending at i, k = 10,20");
        m.put("feature.vwap_change_20", "close[i] / vwap20 - 1, vwap of (h+l+c)/3 weighted by volume over 20 bars "
                + "(plain mean without volume)");
        m.put("feature.hl_range", "(high[i] - low[i]) / close[i]");
        m.put("feature.sma_ratio_20", "close[i] / mean(close, 20 bars) - 1");
        m.put("feature.rsi_14", "Wilder RSI(14), seeded with the plain mean of the first 14 changes of a run, "
                + "scaled rsi/50 - 1");
        m.put("feature.log_volume_ratio_20", "ln((v[i] + e) / (m + e)), m = mean volume over 20 bars, e = 0.01 m + 1e-12");
        m.put("feature.gaps", "a bar not exactly interval_ms after the previous starts a new run; windows never "
                + "cross runs");
        m.put("standardiser", "x_std = (x - mean) / std, fitted on the training split (population std, 1 where 0)");
        return java.util.Collections.unmodifiableMap(m);
    }

    /** A declared set's specification: its canonical text (what the runtime computes) and each definition. */
    private static Map<String, String> declaredSpec(FeatureSet set) {
        Map<String, String> m = new LinkedHashMap<>();
        for (FeatureSpec f : set.specs()) { // first: a column named like a key below cannot replace that key
            m.put("feature." + f.name(), f.canonical() + " (definitions: io.distill4j.runtime.FeatureSpec)");
        }
        m.put("features", String.join(",", set.names()));
        m.put("feature.warmup_bars", Integer.toString(set.warmup()));
        m.put(StudentModel.FEATURE_SET_KEY, set.canonical());
        m.put("feature.gaps", FEATURE_SPEC.get("feature.gaps"));
        m.put("standardiser", FEATURE_SPEC.get("standardiser"));
        return m;
    }

    /** The feature names, in column order. */
    public List<String> featureNames() {
        return features.names();
    }
}
