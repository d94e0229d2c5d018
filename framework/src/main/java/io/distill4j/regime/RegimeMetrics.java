package io.distill4j.regime;

import io.distill4j.eval.ClassificationMetrics;
import io.distill4j.eval.RegressionMetrics;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model's metrics within each {@link MarketRegime} of a split, by metric name {@code regime.<regime>.<metric>}
 * (tracked as {@code test_regime.<regime>.<metric>}):
 * <ul>
 *   <li>{@code share}: the regime's share of the split's samples (always present);</li>
 *   <li>classification: {@code accuracy} and {@code macro_f1} over the regime's samples alone
 *       ({@link ClassificationMetrics}: the mean over all 3 classes of {@code 2 TP / (2 TP + FP + FN)}, a class
 *       neither present nor predicted in the regime counting 0);</li>
 *   <li>regression: {@code r2} (against the regime's own mean), {@code ic}, {@code directional_accuracy} and
 *       {@code mse} over the regime's samples ({@link RegressionMetrics}).</li>
 * </ul>
 * A regime with no sample in the split has its share (0) and no other metric.
 */
public final class RegimeMetrics {
    /** The prefix of every per-regime metric name. */
    public static final String PREFIX = "regime.";
    /** The per-regime metrics of a classifier, in table order. */
    public static final List<String> CLASSIFICATION = List.of("accuracy", "macro_f1");
    /** The per-regime metrics of a return predictor, in table order. */
    public static final List<String> REGRESSION = List.of("r2", "ic", "directional_accuracy", "mse");

    private RegimeMetrics() {
    }

    /** The metric name of {@code metric} within {@code regime}: {@code regime.<key>.<metric>}. */
    public static String key(MarketRegime regime, String metric) {
        return PREFIX + regime.key() + "." + metric;
    }

    /**
     * A classifier's per-regime metrics.
     *
     * @param logits {@code [n][C]} rows
     * @param labels the classes, length {@code n}
     * @param regimes each sample's regime index ({@link MarketRegime#ordinal()}), length {@code n}
     */
    public static Map<String, Double> ofClasses(double[][] logits, int[] labels, int[] regimes) {
        check(logits.length, labels.length, regimes);
        return perRegime(regimes, rows -> {
            double[][] z = new double[rows.length][];
            int[] y = new int[rows.length];
            for (int k = 0; k < rows.length; k++) {
                z[k] = logits[rows[k]];
                y[k] = labels[rows[k]];
            }
            ClassificationMetrics m = ClassificationMetrics.of(z, y, null);
            Map<String, Double> out = new LinkedHashMap<>();
            out.put("accuracy", m.accuracy());
            out.put("macro_f1", m.macroF1());
            return out;
        });
    }

    /**
     * A return predictor's per-regime metrics.
     *
     * @param predictions the predictions; {@code targets} and {@code timeMs} (for the metrics' daily IC) alike
     * @param regimes each sample's regime index
     */
    public static Map<String, Double> ofReturns(double[] predictions, double[] targets, long[] timeMs, int[] regimes) {
        check(predictions.length, targets.length, regimes);
        return perRegime(regimes, rows -> {
            double[] p = new double[rows.length];
            double[] y = new double[rows.length];
            long[] t = new long[rows.length];
            for (int k = 0; k < rows.length; k++) {
                p[k] = predictions[rows[k]];
                y[k] = targets[rows[k]];
                t[k] = timeMs[rows[k]];
            }
            RegressionMetrics m = RegressionMetrics.of(p, y, t, null);
            Map<String, Double> out = new LinkedHashMap<>();
            out.put("r2", m.r2());
            out.put("ic", m.ic());
            out.put("directional_accuracy", m.directionalAccuracy());
            out.put("mse", m.mse());
            return out;
        });
    }

    /** Each regime's share, then {@code within}'s metrics over the positions of its samples (when it has any). */
    private static Map<String, Double> perRegime(int[] regimes,
            java.util.function.Function<int[], Map<String, Double>> within) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (MarketRegime r : MarketRegime.values()) {
            int[] rows = rows(regimes, r);
            out.put(key(r, "share"), regimes.length == 0 ? Double.NaN : (double) rows.length / regimes.length);
            if (rows.length > 0) {
                within.apply(rows).forEach((m, v) -> out.put(key(r, m), v));
            }
        }
        return out;
    }

    /** The positions of the samples in regime {@code r}, ascending. */
    public static int[] rows(int[] regimes, MarketRegime r) {
        return java.util.stream.IntStream.range(0, regimes.length).filter(k -> regimes[k] == r.ordinal()).toArray();
    }

    private static void check(int n, int labels, int[] regimes) {
        if (labels != n || regimes.length != n) {
            throw new IllegalArgumentException("need one label and one regime per sample: " + n + " samples, "
                    + labels + " labels, " + regimes.length + " regimes");
        }
    }
}
